import type { OAuthAccessTokenEntry } from '@ensoras/contracts';
import { describe, expect, it } from 'vitest';
import { classifyConnectionError } from './connection-error.js';
import { AccessTokenUnavailableError, accessTokenFrom, OAuthGrantRevokedError } from './oauth-credential.js';

const now = new Date('2026-12-01T12:00:00Z');
const live: OAuthAccessTokenEntry = {
  projectId: 'acme',
  direction: 'imap',
  provider: 'google',
  account: 'support@acme.test',
  accessToken: { sealed: 'sealed-token' },
  expiresAt: new Date(now.getTime() + 10 * 60_000).toISOString(),
  version: 3,
};
const open = (sealed: { sealed: string }) => (sealed.sealed === 'sealed-token' ? 'the-token' : '');

describe('accessTokenFrom', () => {
  it('opens a live token of the expected provider', () => {
    expect(accessTokenFrom(live, 'google', open, now)).toBe('the-token');
  });

  it('is transient while there is no token, one of another provider, or one about to expire', () => {
    expect(() => accessTokenFrom(undefined, 'google', open, now)).toThrow(AccessTokenUnavailableError);
    expect(() => accessTokenFrom(live, 'microsoft', open, now)).toThrow(/no Microsoft access token yet/);
    const expiring = { ...live, expiresAt: new Date(now.getTime() + 20_000).toISOString() };
    expect(() => accessTokenFrom(expiring, 'google', open, now)).toThrow(/expired at/);
  });

  it('is transient when the token was sealed for other settings (channel-config re-issues it)', () => {
    const failing = () => {
      throw new Error('bad tag');
    };
    expect(() => accessTokenFrom(live, 'google', failing, now)).toThrow(AccessTokenUnavailableError);
  });

  it('fails a revoked grant as an authentication failure whose message says what to do', () => {
    const revoked: OAuthAccessTokenEntry = { projectId: 'acme', direction: 'imap', provider: 'google', revoked: 'x', revokedAt: now.toISOString(), version: 4 };
    let error: unknown;
    try {
      accessTokenFrom(revoked, 'google', open, now);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(OAuthGrantRevokedError);
    expect(classifyConnectionError(error, 'imap', { host: 'imap.gmail.com', port: 993, encryption: 'ssl' })).toEqual({
      code: 'auth_failed',
      message: 'The Google grant was revoked: connect the mailbox again.',
      hint: 'An admin connects the mailbox again (OAuth), which stores a new grant.',
    });
  });
});
