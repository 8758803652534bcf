import { describe, expect, it } from 'vitest';
import { formatStreamDuration, parseStreamDuration, streamSettingsOf } from './stream-settings.js';
import { differences, streamConfigs } from './topology.js';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('stream settings', () => {
  it('keeps events 30 days and dead letters 90 days on one copy unless told otherwise', () => {
    expect(streamSettingsOf({})).toEqual({ maxAgeMs: 30 * DAY_MS, deadLetterMaxAgeMs: 90 * DAY_MS, replicas: 1 });
    expect(streamSettingsOf({ NATS_STREAM_MAX_AGE: '72h', NATS_DEAD_LETTER_MAX_AGE: '14d', NATS_STREAM_REPLICAS: 3 })).toEqual({
      maxAgeMs: 3 * DAY_MS,
      deadLetterMaxAgeMs: 14 * DAY_MS,
      replicas: 3,
    });
  });

  it('refuses what the environment check would refuse, naming the variable', () => {
    expect(() => streamSettingsOf({ NATS_STREAM_REPLICAS: 2 })).toThrow(/^NATS_STREAM_REPLICAS must be 1/);
    expect(() => streamSettingsOf({ NATS_STREAM_MAX_AGE: '10m' })).toThrow(/^NATS_STREAM_MAX_AGE must be a duration of at least 1h/);
  });

  it('reads and writes durations in minutes, hours and days', () => {
    expect(parseStreamDuration('90m')).toBe(90 * 60_000);
    expect(parseStreamDuration('7x')).toBeUndefined();
    expect(formatStreamDuration(30 * DAY_MS)).toBe('30d');
    expect(formatStreamDuration(36 * 60 * 60_000)).toBe('36h');
  });
});

describe('stream configuration', () => {
  it('gives every stream the replicas and the event streams their retention, dead letters theirs', () => {
    const configs = streamConfigs(streamSettingsOf({ NATS_STREAM_MAX_AGE: '2h', NATS_STREAM_REPLICAS: 3 }));
    expect(configs.map((c) => [c.name, c.num_replicas, c.max_age! / 1e6 / 60_000])).toEqual([
      ['MAIL', 3, 120],
      ['TICKETS', 3, 120],
      ['REPLIES', 3, 120],
      ['CHANNELS', 3, 120],
      ['DEADLETTER', 3, 90 * 24 * 60],
    ]);
    // The duplicate window of the outbox relay stays 10 minutes.
    expect(configs[0]!.duplicate_window! / 1e6).toBe(10 * 60_000);
  });

  it('says what an update changes, and nothing for a stream that already matches', () => {
    const [wanted] = streamConfigs(streamSettingsOf({ NATS_STREAM_MAX_AGE: '7d', NATS_STREAM_REPLICAS: 3 }));
    const [current] = streamConfigs(streamSettingsOf({}));
    expect(differences({ ...current, placement: { cluster: 'c', tags: [] } }, wanted!)).toEqual(['max_age 30d → 7d', 'num_replicas 1 → 3']);
    expect(differences({ ...wanted, placement: { cluster: 'c', tags: [] } }, wanted!)).toEqual([]);
  });
});
