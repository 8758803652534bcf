import type { EmailChannelStatusView } from '@ensoras/contracts';
import { describe, expect, it } from 'vitest';
import { channelStatusLine } from './channel-status.ts';

const status = (change: Partial<EmailChannelStatusView>): EmailChannelStatusView => ({
  projectId: 'acme',
  enabled: true,
  state: 'watching',
  imported: 0,
  total: 0,
  lastError: null,
  lastErrorAt: null,
  lastImportAt: null,
  updatedAt: null,
  ...change,
});

describe('channelStatusLine', () => {
  it('says what the mailbox does, with the error and the backfill progress', () => {
    expect(channelStatusLine(null).text).toBe('Not configured');
    expect(channelStatusLine(status({ state: 'watching' })).text).toBe('Watching');
    expect(channelStatusLine(status({ state: 'failing', lastError: 'auth_failed: login refused' }))).toEqual({
      text: 'Failing: auth_failed: login refused',
      tone: 'error',
    });
    expect(channelStatusLine(status({ state: 'backfilling', imported: 120, total: 400 })).text).toBe('Importing history: 120 of 400');
    expect(channelStatusLine(status({ state: 'disabled', enabled: false })).text).toBe('Disabled');
    expect(channelStatusLine(status({ state: 'connecting' })).text).toBe('Connecting');
    expect(channelStatusLine(status({ state: 'failing' })).text).toBe('Failing: no reason reported');
  });
});
