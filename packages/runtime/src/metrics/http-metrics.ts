import { Inject, Injectable } from '@nestjs/common';
import { Counter, Histogram, type Registry } from 'prom-client';
import { HTTP_REQUEST_DURATION, HTTP_REQUESTS } from './metric-catalog.js';
import { METRICS_REGISTRY } from './metrics-registry.js';

/** What the middleware reads of express' request and response (Nest's default platform). */
interface ExpressRequest {
  method: string;
  baseUrl?: string;
  route?: { path?: unknown };
}
interface ExpressResponse {
  statusCode: number;
  once(event: 'finish' | 'close', listener: () => void): unknown;
}

/** Requests counted as the route that served them, not their URL, so the series stay few whatever clients ask for. */
export const UNMATCHED_ROUTE = 'unmatched';

/** Counts and times every HTTP request of the service (a middleware for all routes, see HealthModule). */
@Injectable()
export class HttpMetrics {
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly duration: Histogram<'method' | 'route' | 'status'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.requests = new Counter({ ...HTTP_REQUESTS, registers: [registry] });
    this.duration = new Histogram({ ...HTTP_REQUEST_DURATION, registers: [registry] });
  }

  /**
   * Express middleware: the labels are taken once the response is sent, when the router has set `request.route`
   * (its template, e.g. `/v1/projects/:projectId/tickets`). Requests refused before routing (a body over the limit)
   * never reach it; a request whose client went away is counted with the status it would have had.
   */
  readonly middleware = (request: ExpressRequest, response: ExpressResponse, next: () => void): void => {
    const stop = this.duration.startTimer();
    let counted = false;
    const count = () => {
      if (counted) return;
      counted = true;
      const labels = { method: request.method, route: routeTemplateOf(request), status: String(response.statusCode) };
      this.requests.inc(labels);
      stop(labels);
    };
    response.once('finish', count);
    response.once('close', count);
    next();
  };
}

/**
 * Nest mounts middleware as catch-all routes (`/{*path}`, `{/*splat}`), so `request.route` is one of those when no
 * controller route matched (a 404). No service has a wildcard route of its own: a wildcard means unmatched.
 */
function routeTemplateOf(request: ExpressRequest): string {
  const path = request.route?.path;
  if (typeof path !== 'string' || path.includes('*')) return UNMATCHED_ROUTE;
  return `${request.baseUrl ?? ''}${path}`;
}
