import type { ConsoleEnvironment } from '../config/console.environment.js';

export interface ApiRoute {
  /** What the browser calls; the rest of the path goes to the service as is (`/api/config/v1/x` → `/v1/x`). */
  prefix: string;
  /** Named in the 502 when it does not answer; its address never leaves the server. */
  service: string;
  target: string;
}

/** The services the console's pages call, one prefix each; any other /api path is a 404. */
export function apiRoutesOf(environment: ConsoleEnvironment): ApiRoute[] {
  return [
    { prefix: '/api/config', service: 'channel-config', target: environment.CHANNEL_CONFIG_URL },
    { prefix: '/api/inbox', service: 'ticketing', target: environment.TICKETING_URL },
    { prefix: '/api/knowledge', service: 'ai-responder', target: environment.AI_RESPONDER_URL },
    { prefix: '/api/ingest', service: 'mail-ingest', target: environment.MAIL_INGEST_URL },
  ];
}

/** `/api/config` and `/api/config/…` (with or without a query), not `/api/configuration`. */
export function isUnder(prefix: string, url: string): boolean {
  return url.startsWith(prefix) && (url.length === prefix.length || url[prefix.length] === '/' || url[prefix.length] === '?');
}
