import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * The service's Prometheus registry, served at /metrics: the runtime's series and the service's own register on it.
 * Not prom-client's global one, so that several services in one test process do not collide.
 */
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');

/**
 * A registry whose every series carries `service="<name>"` (replicas are told apart by Prometheus' `instance`),
 * with Node's process metrics under their usual names (`process_*`, `nodejs_*`) so stock dashboards work.
 */
export function createServiceRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}
