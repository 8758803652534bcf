import { randomBytes } from 'node:crypto';
import { Kvm, type KV } from '@nats-io/kv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_TOKENS_BUCKET, type ApiTokenRecord, type TicketPage } from '@ensoras/contracts';
import { apiTokenKey } from '@ensoras/messaging';
import { eventually } from '@ensoras/testing';
import { TicketingHarness } from '../test-support/ticketing-harness.js';

/**
 * Ticketing decides scoped tokens from its replica of the api-tokens bucket, which channel-config fills (its own spec,
 * api-tokens.int-spec.ts, checks that it writes exactly this: the record under the hex SHA-256 of the secret, deleted
 * on revocation). Here the entries are written as channel-config writes them, and ticketing must follow.
 */
describe('ticketing with scoped API tokens', () => {
  const harness = new TicketingHarness();
  let tokens: KV;
  let ticketId: string;

  beforeAll(async () => {
    await harness.setUp([{ projectId: 'p-a' }, { projectId: 'p-b' }]);
    tokens = await new Kvm(harness.client).open(API_TOKENS_BUCKET);
    const mail = await harness.deliver('p-a', { subject: 'Where is my order?' });
    ticketId = (await harness.ticketWith('p-a', mail.messageId)).id;
  });

  afterAll(() => harness.tearDown());

  /** A token as channel-config replicates it; returns its secret. */
  async function grant(record: ApiTokenRecord): Promise<string> {
    const secret = `ens_${randomBytes(32).toString('base64url')}`;
    await tokens.put(apiTokenKey(secret), JSON.stringify(record));
    return secret;
  }

  it('lets an inbox:read token of project A read its tickets, and nothing more', async () => {
    const reader = await grant({ id: 'token-reader', name: 'reporting', projects: ['p-a'], scopes: ['inbox:read'] });
    const page = await eventually(async () => {
      const response = await harness.api('/v1/projects/p-a/tickets', {}, reader);
      return response.status === 200 ? ((await response.json()) as TicketPage) : null;
    }, { timeoutMs: 2_000, message: 'the token never reached ticketing' });
    expect(page.items.map((ticket) => ticket.id)).toEqual([ticketId]);

    const otherProject = await harness.api('/v1/projects/p-b/tickets', {}, reader);
    expect(otherProject.status).toBe(403);
    expect(await otherProject.json()).toMatchObject({ message: 'This token is not for the project "p-b"', projectId: 'p-b' });

    const reply = await harness.api(`/v1/projects/p-a/tickets/${ticketId}/replies`, { method: 'POST', body: JSON.stringify({ text: 'Hi' }) }, reader);
    expect(reply.status).toBe(403);
    expect(await reply.json()).toMatchObject({ message: 'This token lacks the scope "inbox:write"', missingScope: 'inbox:write' });

    const deadLetters = await harness.api('/v1/dead-letters', {}, reader);
    expect(deadLetters.status).toBe(403);
  });

  it('lets an inbox:write token answer a ticket, and stops it once channel-config deletes its entry (revocation)', async () => {
    const agent = await grant({ id: 'token-agent', name: 'agent desk', projects: '*', scopes: ['inbox:read', 'inbox:write'] });
    await eventually(async () => (await harness.api('/v1/projects/p-a/tickets', {}, agent)).status === 200, { timeoutMs: 2_000 });

    const reply = await harness.api(`/v1/projects/p-a/tickets/${ticketId}/replies`, { method: 'POST', body: JSON.stringify({ text: 'It ships today.' }) }, agent);
    expect(reply.status).toBe(201);

    const revokedAt = Date.now();
    await tokens.delete(apiTokenKey(agent));
    await eventually(async () => (await harness.api('/v1/projects/p-a/tickets', {}, agent)).status === 401, { timeoutMs: 2_000, intervalMs: 20 });
    expect(Date.now() - revokedAt).toBeLessThan(2_000);
    // The ADMIN_TOKEN is not in the bucket and never stops.
    expect((await harness.api('/v1/projects/p-a/tickets')).status).toBe(200);
  });

  it('refuses an entry that does not read as a token, rather than half-trusting it', async () => {
    const secret = `ens_${randomBytes(32).toString('base64url')}`;
    await tokens.put(apiTokenKey(secret), JSON.stringify({ id: 'odd', name: 'odd', projects: '*', scopes: ['inbox:read', 'root'] }));
    const probe = await grant({ id: 'token-probe', name: 'probe', projects: ['p-a'], scopes: ['inbox:read'] });
    // Entries arrive in order: once the later one works, the earlier was seen (and skipped).
    await eventually(async () => (await harness.api('/v1/projects/p-a/tickets', {}, probe)).status === 200, { timeoutMs: 2_000 });
    expect((await harness.api('/v1/projects/p-a/tickets', {}, secret)).status).toBe(401);
  });
});
