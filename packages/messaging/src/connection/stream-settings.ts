import type { NatsSettings } from './nats-settings.js';

/** How long the streams keep what they hold and on how many NATS servers (NATS_STREAM_* variables, README "Environment"). */
export interface StreamSettings {
  /** Events of the MAIL, TICKETS, REPLIES and CHANNELS streams are deleted after this age, consumed or not. */
  maxAgeMs: number;
  /** Dead letters are kept this long, for an admin to replay or remove. */
  deadLetterMaxAgeMs: number;
  /** Copies of every stream, KV bucket and object store: 1 on a single server, 3 or 5 on a cluster. */
  replicas: StreamReplicas;
}

export const STREAM_REPLICAS = [1, 3, 5] as const;
export type StreamReplicas = (typeof STREAM_REPLICAS)[number];

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** A whole number of minutes, hours or days: `90m`, `72h`, `30d`. */
export const STREAM_DURATION = /^([1-9]\d{0,5})([mhd])$/;
/** The shortest retention accepted: below it an outage of a consumer loses events, and the 10-minute duplicate window would not fit. */
export const MIN_STREAM_MAX_AGE_MS = UNIT_MS.h;

export const DEFAULT_STREAM_SETTINGS: StreamSettings = {
  maxAgeMs: 30 * UNIT_MS.d,
  deadLetterMaxAgeMs: 90 * UNIT_MS.d,
  replicas: 1,
};

/** Milliseconds of a duration like `30d`; undefined when it is not one. */
export function parseStreamDuration(text: string): number | undefined {
  const match = STREAM_DURATION.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/** `30d`, `72h`, `90m`: the largest unit that divides the duration, for log lines. */
export function formatStreamDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm'] as const) if (ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`;
  return `${ms}ms`;
}

/** The stream settings of an environment; what is unset keeps its default, a wrong value throws naming the variable. */
export function streamSettingsOf(settings: Pick<NatsSettings, 'NATS_STREAM_MAX_AGE' | 'NATS_DEAD_LETTER_MAX_AGE' | 'NATS_STREAM_REPLICAS'> | undefined): StreamSettings {
  const replicas = settings?.NATS_STREAM_REPLICAS ?? DEFAULT_STREAM_SETTINGS.replicas;
  if (!(STREAM_REPLICAS as readonly number[]).includes(Number(replicas))) throw new Error(REPLICAS_MESSAGE);
  return {
    maxAgeMs: durationOf('NATS_STREAM_MAX_AGE', settings?.NATS_STREAM_MAX_AGE, DEFAULT_STREAM_SETTINGS.maxAgeMs),
    deadLetterMaxAgeMs: durationOf('NATS_DEAD_LETTER_MAX_AGE', settings?.NATS_DEAD_LETTER_MAX_AGE, DEFAULT_STREAM_SETTINGS.deadLetterMaxAgeMs),
    replicas: Number(replicas) as StreamReplicas,
  };
}

export const REPLICAS_MESSAGE = 'NATS_STREAM_REPLICAS must be 1 (a single NATS server), 3 or 5 (a cluster of at least that many servers)';

export function durationMessage(variable: string): string {
  return `${variable} must be a duration of at least 1h such as 30d, 72h or 90m`;
}

/** Whether `text` is a duration the streams accept (STREAM_DURATION, at least MIN_STREAM_MAX_AGE_MS). */
export function isStreamMaxAge(text: unknown): boolean {
  const ms = typeof text === 'string' ? parseStreamDuration(text) : undefined;
  return ms !== undefined && ms >= MIN_STREAM_MAX_AGE_MS;
}

function durationOf(variable: string, text: string | undefined, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  if (!isStreamMaxAge(text)) throw new Error(durationMessage(variable));
  return parseStreamDuration(text)!;
}
