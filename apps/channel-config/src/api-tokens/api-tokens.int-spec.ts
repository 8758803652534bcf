import { createHash, randomBytes } from 'node:crypto';
import type { KV } from '@nats-io/kv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_TOKENS_BUCKET, type ApiTokenView, type AuditEntryView, type CreatedApiTokenView } from '@ensoras/contracts';
import { eventually } from '@ensoras/testing';
import { ChannelConfigHarness } from '../test-support/channel-config-harness.js';

/** Small, so that the rate limit is reached quickly; each token gets this many requests at once. */
const RATE_LIMIT = 20;

describe('channel-config scoped API tokens', () => {
  let harness: ChannelConfigHarness;
  let bucket: KV;

  beforeAll(async () => {
    harness = await ChannelConfigHarness.start({ API_RATE_LIMIT_PER_MINUTE: RATE_LIMIT });
    bucket = await harness.bucket(API_TOKENS_BUCKET);
  });

  afterAll(async () => {
    await harness?.stop();
  });

  const call = (...args: Parameters<ChannelConfigHarness['call']>) => harness.call(...args);

  async function createToken(request: { name: string; projects: string[] | '*'; scopes: string[] }): Promise<CreatedApiTokenView> {
    const created = await harness.call<CreatedApiTokenView>('POST', '/v1/tokens', request);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body;
  }

  /** A token's first use: its bucket entry reaches the replica by the watch, a moment after the 201. */
  async function untilAccepted(token: string, path: string): Promise<void> {
    await eventually(async () => (await call('GET', path, undefined, token)).status !== 401, { timeoutMs: 2_000 });
  }

  const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

  it('creates a token only for the admin, shows its secret once and stores only its hash', async () => {
    const request = { name: 'reporting', projects: ['p-a', 'p-c'], scopes: ['config:read'] };
    expect((await call('POST', '/v1/tokens', request, null)).status).toBe(401);

    const created = await createToken(request);
    expect(created).toMatchObject({ name: 'reporting', projects: ['p-a', 'p-c'], scopes: ['config:read'] });
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.token).toMatch(/^ens_[A-Za-z0-9_-]{43}$/);
    expect(new Date(created.createdAt).getTime()).toBeGreaterThan(Date.now() - 60_000);

    const { rows } = await harness.db.query('SELECT * FROM channel_config.api_token WHERE id = $1', [created.id]);
    expect(rows).toHaveLength(1);
    expect(rows[0].token_hash).toBe(sha256(created.token));
    expect(JSON.stringify(rows[0])).not.toContain(created.token);

    // Replicated under the hash, with what the services need to decide and nothing secret.
    const entry = await bucket.get(sha256(created.token));
    expect(entry?.json()).toEqual({ id: created.id, name: 'reporting', projects: ['p-a', 'p-c'], scopes: ['config:read'] });

    const listed = await call('GET', '/v1/tokens');
    expect(listed.status).toBe(200);
    const view = (listed.body.tokens as ApiTokenView[]).find((token) => token.id === created.id);
    expect(view).toEqual({ id: created.id, name: 'reporting', projects: ['p-a', 'p-c'], scopes: ['config:read'], createdAt: created.createdAt, revokedAt: null });
    expect(JSON.stringify(listed.body)).not.toContain(created.token);
    expect(JSON.stringify(listed.body)).not.toContain(sha256(created.token));

    // The name is taken while the token is active.
    const again = await call('POST', '/v1/tokens', { ...request, projects: '*' });
    expect(again.status).toBe(409);
    expect(again.body.message).toContain('"reporting"');
  });

  it('answers 400 naming the field, listing unknown scopes, and stores nothing', async () => {
    const before = (await harness.db.query('SELECT count(*)::int AS n FROM channel_config.api_token')).rows[0].n as number;
    const unknownScopes = await call('POST', '/v1/tokens', { name: 'x', projects: '*', scopes: ['config:read', 'superuser'] });
    expect(unknownScopes.status).toBe(400);
    expect(unknownScopes.body.message).toEqual([
      'scopes: scopes holds unknown scope(s) "superuser"; the scopes are config:read, config:write, inbox:read, inbox:write, knowledge:write',
    ]);
    const badProject = await call('POST', '/v1/tokens', { name: 'x', projects: ['ok', 'not/ok'], scopes: ['inbox:read'] });
    expect(badProject.status).toBe(400);
    expect(badProject.body.message).toEqual(['projects: projects holds "not/ok": a project id is 1 to 64 letters, digits, "-" or "_"']);
    const noName = await call('POST', '/v1/tokens', { projects: '*', scopes: ['inbox:read'] });
    expect(noName.status).toBe(400);
    expect((noName.body.message as string[]).every((line) => line.startsWith('name: '))).toBe(true);
    const extra = await call('POST', '/v1/tokens', { name: 'x', projects: '*', scopes: ['inbox:read'], admin: true });
    expect(extra.status).toBe(400);
    expect(extra.body.message).toEqual(['admin: property admin should not exist']);
    expect((await harness.db.query('SELECT count(*)::int AS n FROM channel_config.api_token')).rows[0].n).toBe(before);
  });

  it('holds a token to its scope and its projects: 200 on project A, 403 on project B or without the scope, 401 when unknown', async () => {
    const { token } = await createToken({ name: 'reader of A', projects: ['p-a'], scopes: ['config:read'] });
    await untilAccepted(token, '/v1/projects/p-a/configuration');

    const own = await call('GET', '/v1/projects/p-a/configuration', undefined, token);
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ projectId: 'p-a' });
    expect((await call('GET', '/v1/projects/p-a/channels/email/audit', undefined, token)).status).toBe(200);

    const other = await call('GET', '/v1/projects/p-b/configuration', undefined, token);
    expect(other.status).toBe(403);
    expect(other.body).toEqual({ statusCode: 403, error: 'Forbidden', message: 'This token is not for the project "p-b"', projectId: 'p-b' });

    const write = await call('PUT', '/v1/projects/p-a/configuration', { communicationStyle: 'Brief.' }, token);
    expect(write.status).toBe(403);
    expect(write.body).toEqual({ statusCode: 403, error: 'Forbidden', message: 'This token lacks the scope "config:write"', missingScope: 'config:write' });
    expect((await call('POST', '/v1/projects/p-a/channels/email/enable', undefined, token)).body.missingScope).toBe('config:write');
    // Nothing was changed by the refused write.
    expect((await call('GET', '/v1/projects/p-a/configuration')).body.communicationStyle).toBe('');

    // Admin-only routes refuse every scoped token, whatever it may do elsewhere.
    for (const path of ['/v1/tokens', '/v1/dead-letters', '/v1/outbox/parked']) {
      const refused = await call('GET', path, undefined, token);
      expect(refused.status, path).toBe(403);
      expect(refused.body.message, path).toBe('This route needs the ADMIN_TOKEN; API tokens cannot use it');
    }

    const forged = `ens_${randomBytes(32).toString('base64url')}`;
    expect((await call('GET', '/v1/projects/p-a/configuration', undefined, forged)).status).toBe(401);
    expect((await call('GET', '/v1/projects/p-a/configuration', undefined, null)).status).toBe(401);
  });

  it('records in the audit log which token made a change, and the admin for its own', async () => {
    const writer = await createToken({ name: 'style bot', projects: ['p-audit'], scopes: ['config:read', 'config:write'] });
    await untilAccepted(writer.token, '/v1/projects/p-audit/configuration');

    expect((await call('PUT', '/v1/projects/p-audit/configuration', { communicationStyle: 'Friendly.' }, writer.token)).status).toBe(200);
    expect((await call('PUT', '/v1/projects/p-audit/configuration', { communicationStyle: 'Formal.' })).status).toBe(200);

    const audit = await call('GET', '/v1/projects/p-audit/channels/email/audit', undefined, writer.token);
    expect(audit.status).toBe(200);
    const entries = audit.body.entries as AuditEntryView[];
    expect(entries.map(({ action, revision, actor }) => ({ action, revision, actor }))).toEqual([
      { action: 'configuration.updated', revision: 2, actor: { kind: 'admin' } },
      { action: 'configuration.updated', revision: 1, actor: { kind: 'token', id: writer.id, name: 'style bot' } },
    ]);
  });

  it('stops a revoked token at once (401), keeps it listed as revoked, and 404s an unknown id', async () => {
    const created = await createToken({ name: 'short-lived', projects: '*', scopes: ['config:read'] });
    await untilAccepted(created.token, '/v1/projects/anything/configuration');
    expect((await call('GET', '/v1/projects/anything/configuration', undefined, created.token)).status).toBe(200);

    expect((await call('DELETE', `/v1/tokens/${created.id}`, undefined, created.token)).status).toBe(403);
    const revokedAt = Date.now();
    expect((await call('DELETE', `/v1/tokens/${created.id}`)).status).toBe(204);
    await eventually(async () => (await call('GET', '/v1/projects/anything/configuration', undefined, created.token)).status === 401, {
      timeoutMs: 2_000,
      intervalMs: 20,
    });
    expect(Date.now() - revokedAt).toBeLessThan(2_000);
    expect(await bucket.get(sha256(created.token))).toMatchObject({ operation: 'DEL' });

    const listed = (await call('GET', '/v1/tokens')).body.tokens as ApiTokenView[];
    expect(listed.find((token) => token.id === created.id)?.revokedAt).toEqual(expect.any(String));
    // Its name is free again.
    expect((await call('POST', '/v1/tokens', { name: 'short-lived', projects: ['p-a'], scopes: ['inbox:read'] })).status).toBe(201);

    expect((await call('DELETE', '/v1/tokens/8f7d1d5e-4d8e-4f83-9a53-3a4c6a9c1f00')).status).toBe(404);
    expect((await call('DELETE', '/v1/tokens/not-a-uuid')).status).toBe(404);
    // Revoking again repairs nothing and fails nothing.
    expect((await call('DELETE', `/v1/tokens/${created.id}`)).status).toBe(204);
  });

  it('limits each scoped token to its rate (429 with Retry-After), never the admin', async () => {
    const { token } = await createToken({ name: 'busy', projects: '*', scopes: ['config:read'] });
    await untilAccepted(token, '/v1/projects/p-rate/configuration');
    // untilAccepted took one (or a few) of the token's requests already.
    const statuses: number[] = [];
    let limited: Awaited<ReturnType<typeof call>> | undefined;
    // A few more than the limit: a slow machine may see a request or two refilled meanwhile (one every 3 s).
    for (let i = 0; i < RATE_LIMIT + 5 && !limited; i++) {
      const response = await call('GET', '/v1/projects/p-rate/configuration', undefined, token);
      statuses.push(response.status);
      if (response.status === 429) limited = response;
    }
    expect(limited, `statuses: ${statuses.join(',')}`).toBeDefined();
    expect(statuses.slice(0, -1).every((status) => status === 200)).toBe(true);
    // 20 a minute: one comes back every 3 s.
    expect(limited!.headers.get('retry-after')).toMatch(/^[1-3]$/);
    expect(limited!.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });

    // Another token has its own bucket; the admin has none.
    const other = await createToken({ name: 'calm', projects: '*', scopes: ['config:read'] });
    await untilAccepted(other.token, '/v1/projects/p-rate/configuration');
    for (let i = 0; i < RATE_LIMIT + 5; i++) expect((await call('GET', '/v1/projects/p-rate/configuration')).status).toBe(200);
    expect((await call('GET', '/v1/projects/p-rate/configuration', undefined, other.token)).status).toBe(200);
  });

  it('repairs the bucket at start: puts an active token it lost, deletes an entry that is no active token', async () => {
    // An active token whose entry is gone (deleted by hand, or a bucket restored from an old backup).
    const lost = await createToken({ name: 'lost entry', projects: ['p-a'], scopes: ['config:read'] });
    await bucket.purge(sha256(lost.token));
    const planted = `ens_${randomBytes(32).toString('base64url')}`;
    await bucket.put(sha256(planted), JSON.stringify({ id: 'planted', name: 'planted', projects: '*', scopes: ['config:write'] }));

    await harness.stopApp();
    await harness.startApp();

    await untilAccepted(lost.token, '/v1/projects/p-a/configuration');
    expect((await call('GET', '/v1/projects/p-a/configuration', undefined, lost.token)).status).toBe(200);
    expect((await call('PUT', '/v1/projects/p-planted/configuration', { communicationStyle: 'x' }, planted)).status).toBe(401);
    expect((await bucket.get(sha256(planted)))?.operation).not.toBe('PUT');
  });
});
