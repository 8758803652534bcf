import type { IncomingMessage, ServerResponse } from 'node:http';

/** Connect-style middleware on Node's own request and response, as express (and so Nest's app.use) calls it. */
export type Middleware = (request: IncomingMessage, response: ServerResponse, next: (error?: unknown) => void) => void;
