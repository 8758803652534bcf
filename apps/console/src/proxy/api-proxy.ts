import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Logger } from '@nestjs/common';
import { createProxyMiddleware } from 'http-proxy-middleware';
import type { Middleware } from '../middleware.js';
import { isUnder, type ApiRoute } from './api-routes.js';

/**
 * Forwards `/api/<prefix>/…` to its service: method, headers (Authorization included), query and body as they came,
 * streamed both ways, so an upload or a large answer is never held in memory here and no body limit applies but the
 * service's own. Any other /api path is a JSON 404; paths outside /api go on to the page.
 * Nothing of a request is logged but, when a service does not answer, its method and path (no query, no headers).
 */
export function apiProxy(routes: readonly ApiRoute[]): Middleware {
  const logger = new Logger('ApiProxy');
  const forwarders = routes.map((route) => ({ route, forward: forwarderTo(route, logger) }));
  const prefixes = routes.map((route) => route.prefix).join(', ');
  return (request, response, next) => {
    const url = request.url ?? '/';
    if (!isUnder('/api', url)) return next();
    const match = forwarders.find(({ route }) => isUnder(route.prefix, url));
    if (match) return void match.forward(request, response, next);
    sendJson(response, 404, { statusCode: 404, error: 'Not Found', message: `No API at ${pathOf(url)}; the console forwards ${prefixes}` });
  };
}

function forwarderTo(route: ApiRoute, logger: Logger) {
  return createProxyMiddleware<IncomingMessage, ServerResponse>({
    target: route.target,
    changeOrigin: true,
    // `/api/config/v1/projects/acme?x=1` → `/v1/projects/acme?x=1`, still percent-encoded as the browser sent it.
    pathRewrite: (url) => {
      const rest = url.slice(route.prefix.length);
      return rest.startsWith('/') ? rest : `/${rest}`;
    },
    on: {
      error: (error, request, response) => {
        const code = (error as NodeJS.ErrnoException).code ?? error.message;
        // request.url is the service's path by now (the prefix is gone).
        logger.warn(`${route.service} is not reachable (${code}): ${request.method} ${pathOf(request.url ?? '/')}`);
        if (!isResponse(response)) return void response.destroy();
        // Cut off in the middle of its answer: the status is out already, so the browser sees a broken response.
        if (response.headersSent) return void response.destroy();
        sendJson(response, 502, { statusCode: 502, error: 'Bad Gateway', message: `${route.service} is not reachable` });
      },
    },
  });
}

function sendJson(response: ServerResponse, status: number, body: object): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(body));
}

/** The path without the query, which may carry search words or addresses. */
function pathOf(url: string): string {
  return url.split('?')[0];
}

function isResponse(target: ServerResponse | Socket): target is ServerResponse {
  return 'writeHead' in target;
}
