import { describe, expect, it } from 'vitest';
import { REDACTED, withoutSecrets } from './secret-redaction.js';

describe('withoutSecrets', () => {
  it('replaces secret fields in any letter case, at depth and in arrays, leaving the rest', () => {
    const line = {
      msg: 'connecting',
      Password: 'v1',
      settings: { imap: { auth: { accessToken: 'v2', user: 'support@acme.test' } } },
      mailboxes: [{ user: 'a', PASSWORD: 'v3' }, 'plain'],
      headers: { 'Set-Cookie': 'v4', 'X-API-Key': 'v5' },
    };
    expect(withoutSecrets(line)).toEqual({
      msg: 'connecting',
      Password: REDACTED,
      settings: { imap: { auth: { accessToken: REDACTED, user: 'support@acme.test' } } },
      mailboxes: [{ user: 'a', PASSWORD: REDACTED }, 'plain'],
      headers: { 'Set-Cookie': REDACTED, 'X-API-Key': REDACTED },
    });
  });

  it('never changes the logged object, and answers it unchanged when it holds no secret', () => {
    const line = { settings: { password: 'v1' }, other: { projectId: 'p1' } };
    const redacted = withoutSecrets(line);
    expect(line.settings.password).toBe('v1');
    // What holds no secret is shared, not copied.
    expect(redacted.other).toBe(line.other);
    const clean = { projectId: 'p1', ids: ['a', 'b'], nested: { count: 2 } };
    expect(withoutSecrets(clean)).toBe(clean);
  });

  it('redacts an error’s own fields and keeps it an error of its class with message and stack', () => {
    const error = Object.assign(new TypeError('login failed'), { password: 'v1', code: 'EAUTH' });
    const redacted = withoutSecrets({ err: error }).err;
    expect(redacted).toBeInstanceOf(TypeError);
    expect(redacted).toMatchObject({ message: 'login failed', password: REDACTED, code: 'EAUTH' });
    expect(redacted.stack).toBe(error.stack);
    expect(error.password).toBe('v1');
  });

  it('leaves objects that are not plain to their serializers, and stops at a cycle', () => {
    const request = new (class IncomingRequest {
      headers = { authorization: 'Bearer v1' };
    })();
    expect(withoutSecrets({ req: request }).req).toBe(request);
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    expect(() => withoutSecrets(cyclic)).not.toThrow();
  });
});
