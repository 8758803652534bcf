import { describe, expect, it } from 'vitest';
import type { ChannelPausedPayload, DirectionPause } from '@ensoras/contracts';
import { currentPauses, pausedDirections, pauseIsCurrent, pauseOfEvent } from './channel-pauses.js';

const payload = (change: Partial<ChannelPausedPayload> = {}): ChannelPausedPayload => ({
  projectId: 'acme',
  direction: 'smtp',
  revision: 7,
  reason: '  The SMTP server at smtp.acme.test:587 rejected the username or password.  ',
  failures: 3,
  pausedAt: '2026-12-01T12:00:00Z',
  ...change,
});

const pause = (revision: number): DirectionPause => ({ reason: 'rejected', pausedAt: '2026-12-01T12:00:00.000Z', revision, failures: 3 });

describe('pauseOfEvent', () => {
  it('takes the pause of a direction from the event, the reason trimmed and bounded', () => {
    expect(pauseOfEvent('acme', payload())).toEqual({
      direction: 'smtp',
      pause: { reason: 'The SMTP server at smtp.acme.test:587 rejected the username or password.', pausedAt: '2026-12-01T12:00:00.000Z', revision: 7, failures: 3 },
    });
    expect(pauseOfEvent('acme', payload({ reason: 'x'.repeat(5_000) })).pause.reason).toHaveLength(1_000);
  });

  it('refuses (dead-letters) a payload that is not a pause of this project', () => {
    for (const [change, message] of [
      [{ projectId: 'other' }, /another project/],
      [{ direction: 'pop3' }, /direction/],
      [{ revision: 0 }, /revision/],
      [{ reason: ' ' }, /reason/],
      [{ failures: 1.5 }, /failures/],
      [{ pausedAt: 'yesterday' }, /pausedAt/],
    ] as const) {
      expect(() => pauseOfEvent('acme', payload(change as Partial<ChannelPausedPayload>))).toThrow(message);
    }
  });
});

describe('which pauses hold', () => {
  it('only those of the current revision: a change or a resume made since overtakes a pause', () => {
    expect(pauseIsCurrent({ revision: 7 }, 7)).toBe(true);
    expect(pauseIsCurrent({ revision: 6 }, 7)).toBe(false);
    expect(pauseIsCurrent({ revision: 8 }, 7)).toBe(false);
    expect(currentPauses({ imap: pause(6), smtp: pause(7) }, 7)).toEqual({ imap: null, smtp: pause(7) });
    expect(pausedDirections(currentPauses({ imap: pause(7), smtp: pause(7) }, 7))).toEqual(['imap', 'smtp']);
    expect(pausedDirections(currentPauses({ imap: null, smtp: pause(6) }, 7))).toEqual([]);
  });
});
