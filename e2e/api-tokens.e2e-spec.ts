import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedApiTokenView } from '@ensoras/contracts';
import { eventually, startChannelStack, type ChannelStack, type ServiceName } from '@ensoras/testing';

/**
 * A scoped token made on channel-config works on the other services, each holding it to its scopes and projects, and
 * a revocation stops it on all of them: the five built services, each logged in to NATS as its own user of
 * infra/nats/nats-server.conf (so the api-tokens bucket's permissions are what production has).
 */
describe('scoped API tokens across the services', () => {
  let stack: ChannelStack;
  let token: CreatedApiTokenView;

  const call = async (service: ServiceName, method: string, path: string, secret: string, body?: unknown) => {
    const response = await fetch(`${stack.services.url(service)}${path}`, {
      method,
      headers: { authorization: `Bearer ${secret}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : null };
  };

  beforeAll(async () => {
    stack = await startChannelStack('api-tokens');
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('is honoured by every service within its scopes and projects, and stops everywhere once revoked', async () => {
    const created = await stack.api<CreatedApiTokenView>('channel-config', 'POST', '/v1/tokens', {
      name: 'support app',
      projects: ['acme'],
      scopes: ['inbox:read', 'config:read', 'knowledge:write'],
    });
    expect(created.status).toBe(201);
    token = created.body;

    // Each service learns of it through its own watch of the bucket.
    const allowed: Array<[ServiceName, string, string, unknown?]> = [
      ['ticketing', 'GET', '/v1/projects/acme/tickets'],
      ['channel-config', 'GET', '/v1/projects/acme/configuration'],
      ['ai-responder', 'PUT', '/v1/projects/acme/knowledge/articles/opening-hours', { title: 'Opening hours', body: 'We are open 9 to 5.' }],
      ['ai-responder', 'GET', '/v1/projects/acme/pending-responses'],
      ['mail-ingest', 'GET', '/v1/projects/acme/quarantine'],
    ];
    for (const [service, method, path, body] of allowed) {
      const answer = await eventually(async () => {
        const response = await call(service, method, path, token.token, body);
        return response.status === 401 ? null : response;
      }, { timeoutMs: 5_000, message: `${service} never accepted the token` });
      expect(answer.status, `${service} ${method} ${path}: ${JSON.stringify(answer.body)}`).toBeLessThan(300);
    }

    const refused: Array<[ServiceName, string, string, unknown, Record<string, unknown>]> = [
      ['ticketing', 'GET', '/v1/projects/other/tickets', undefined, { projectId: 'other' }],
      ['ticketing', 'POST', '/v1/projects/acme/tickets/00000000-0000-4000-8000-000000000000/close', undefined, { missingScope: 'inbox:write' }],
      ['channel-config', 'PATCH', '/v1/projects/acme/channels/email', { guidelines: 'x' }, { missingScope: 'config:write' }],
      ['mail-ingest', 'GET', '/v1/mailboxes', undefined, { message: 'This route needs the ADMIN_TOKEN; API tokens cannot use it' }],
      ['mail-outbound', 'GET', '/v1/dead-letters', undefined, { message: 'This route needs the ADMIN_TOKEN; API tokens cannot use it' }],
      ['channel-config', 'GET', '/v1/tokens', undefined, { message: 'This route needs the ADMIN_TOKEN; API tokens cannot use it' }],
    ];
    for (const [service, method, path, body, reason] of refused) {
      const answer = await call(service, method, path, token.token, body);
      expect(answer.status, `${service} ${method} ${path}`).toBe(403);
      expect(answer.body, `${service} ${method} ${path}`).toMatchObject(reason);
    }

    expect((await stack.api('channel-config', 'DELETE', `/v1/tokens/${token.id}`)).status).toBe(204);
    const revokedAt = Date.now();
    for (const [service, method, path, body] of allowed.filter(([, method]) => method === 'GET').concat([allowed[2]!])) {
      await eventually(async () => (await call(service, method, path, token.token, body)).status === 401, {
        timeoutMs: 2_000,
        intervalMs: 20,
        message: `${service} still accepts the revoked token`,
      });
    }
    expect(Date.now() - revokedAt).toBeLessThan(2_000);
  });
});
