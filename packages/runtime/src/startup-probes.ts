import { createServer } from 'node:http';

export interface StartupProbes {
  close(): Promise<void>;
}

/**
 * Answers on the service's port while Nest starts, which waits for the database and NATS (both retried without
 * end): `/health/live` 200, so an orchestrator does not kill a process that is only waiting, and `/health/ready`
 * (and `/health`) 503, so it sends no traffic yet. Closed just before the application listens on the same port.
 */
export async function answerProbesWhileStarting(port: number, host: string, service: string): Promise<StartupProbes> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0].replace(/\/+$/, '');
    const live = path === '/health/live';
    const body = live
      ? { status: 'ok', starting: true }
      : { status: 'error', info: {}, error: { startup: { status: 'down', message: `${service} is waiting for its database and NATS` } } };
    response.writeHead(live ? 200 : 503, { 'content-type': 'application/json; charset=utf-8', connection: 'close' });
    response.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
