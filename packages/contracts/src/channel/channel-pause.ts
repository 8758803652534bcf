import { createEnvelope, defineEvent, type EventEnvelope } from '../events/envelope.js';
import { eventIds } from '../events/event-ids.js';

/**
 * A direction of the email channel that logs in: `imap` (mail-ingest reads the mailbox) or `smtp` (mail-outbound
 * sends the replies).
 */
export const MAIL_DIRECTIONS = ['imap', 'smtp'] as const;
export type MailDirection = (typeof MAIL_DIRECTIONS)[number];

/**
 * Consecutive authentication failures (a wrong or revoked password, a revoked OAuth grant) after which a direction
 * stops logging in, unless AUTH_FAILURES_BEFORE_PAUSE says otherwise. Providers lock accounts that keep failing.
 */
export const DEFAULT_AUTH_FAILURES_BEFORE_PAUSE = 3;

/**
 * A direction stopped logging in after `failures` consecutive authentication failures with the settings of
 * `revision`. It stays paused while the channel's settings are at that revision; any new revision (a settings change,
 * or POST …/channels/email/resume) resumes it. Published once per direction and paused revision.
 */
export interface ChannelPausedPayload {
  projectId: string;
  direction: MailDirection;
  /** The channel settings revision whose credentials failed. */
  revision: number;
  /** Our own sentence: what failed and what to do. Never a secret, never text the server sent. */
  reason: string;
  failures: number;
  /** ISO 8601. */
  pausedAt: string;
}

/** POST …/channels/email/resume made a new revision for paused directions: they log in again with it. */
export interface ChannelResumedPayload {
  projectId: string;
  /** The new revision, the one the directions resume with. */
  revision: number;
  /** The directions that were paused. */
  directions: MailDirection[];
  /** ISO 8601. */
  resumedAt: string;
}

/** Published by mail-ingest (direction imap) and mail-outbound (direction smtp). */
export const ChannelPaused = defineEvent<ChannelPausedPayload>('channel', 'email.paused');
/** Published by channel-config. */
export const ChannelResumed = defineEvent<ChannelResumedPayload>('channel', 'email.resumed');

/**
 * The event of one pause: its id is derived from project, direction and revision, so a pause recorded again (two
 * replicas, a retry after a crash) is one event for JetStream's de-duplication and for every consumer's inbox.
 */
export function channelPausedEvent(payload: ChannelPausedPayload): EventEnvelope<ChannelPausedPayload> {
  const id = eventIds.derived(ChannelPaused.type, payload.projectId, payload.direction, payload.revision);
  return createEnvelope(ChannelPaused, payload.projectId, payload, id);
}

/** One paused direction as the admin sees it. */
export interface DirectionPause {
  reason: string;
  /** ISO 8601. */
  pausedAt: string;
  /** The revision it failed with; the channel is still at it. */
  revision: number;
  failures: number;
}

/** Per direction: paused (why and since when), or null. */
export interface ChannelPauses {
  imap: DirectionPause | null;
  smtp: DirectionPause | null;
}
