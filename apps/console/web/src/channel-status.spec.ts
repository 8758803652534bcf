import type { EmailChannelStatusView } from '@ensoras/contracts';
import { describe, expect, it } from 'vitest';
import { channelStatusLine, pausedDirections } from './channel-status.ts';

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
  paused: { imap: null, smtp: null },
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

describe('pausedDirections', () => {
  const pause = (reason: string) => ({ reason, pausedAt: '2026-12-01T12:00:00.000Z', revision: 4, failures: 3 });

  it('lists what stopped logging in, IMAP first, with its reason; nothing when nothing is paused', () => {
    expect(pausedDirections(status({}))).toEqual([]);
    expect(pausedDirections(null)).toEqual([]);
    const both = pausedDirections(status({ state: 'paused', paused: { imap: pause('IMAP rejected'), smtp: pause('SMTP rejected') } }));
    expect(both.map((paused) => [paused.direction, paused.title, paused.pause.reason])).toEqual([
      ['imap', 'Receiving paused (IMAP)', 'IMAP rejected'],
      ['smtp', 'Sending paused (SMTP)', 'SMTP rejected'],
    ]);
    expect(both[1]!.effect).toMatch(/held, not lost/);
  });

  it('says paused with the reason in the banner line', () => {
    expect(channelStatusLine(status({ state: 'paused', lastError: 'IMAP rejected' }))).toEqual({ text: 'Paused: IMAP rejected', tone: 'error' });
  });
});

