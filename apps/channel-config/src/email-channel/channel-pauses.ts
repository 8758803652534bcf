import { MAIL_DIRECTIONS, type ChannelPausedPayload, type ChannelPauses, type DirectionPause, type MailDirection } from '@ensoras/contracts';
import { PermanentEventError } from '@ensoras/messaging';

/** A reason longer than this is cut: it is our services' own sentence, a screenful is plenty. */
const MAX_REASON_LENGTH = 1_000;

/** The pause a channel.email.paused reports, or a PermanentEventError (dead-lettered) for a payload that is none. */
export function pauseOfEvent(projectId: string, payload: ChannelPausedPayload): { direction: MailDirection; pause: DirectionPause } {
  const { direction, revision, reason, failures, pausedAt } = payload;
  if (payload.projectId !== projectId) throw new PermanentEventError('the payload names another project than the envelope');
  if (!MAIL_DIRECTIONS.includes(direction)) throw new PermanentEventError(`direction must be one of ${MAIL_DIRECTIONS.join(', ')}`);
  if (!Number.isInteger(revision) || revision < 1) throw new PermanentEventError('revision must be a positive integer');
  if (typeof reason !== 'string' || reason.trim() === '') throw new PermanentEventError('reason must be a non-empty string');
  if (!Number.isInteger(failures) || failures < 1) throw new PermanentEventError('failures must be a positive integer');
  if (typeof pausedAt !== 'string' || Number.isNaN(Date.parse(pausedAt))) throw new PermanentEventError('pausedAt must be an ISO 8601 time');
  return {
    direction,
    pause: { reason: reason.trim().slice(0, MAX_REASON_LENGTH), pausedAt: new Date(pausedAt).toISOString(), revision, failures },
  };
}

/**
 * Whether a reported pause holds for the project's settings: it was made with the current revision. One made with an
 * older revision was overtaken by a change (a fixed password, a resume), which the reporting service has picked up
 * or will; a newer one than channel-config ever made is nonsense.
 */
export function pauseIsCurrent(pause: { revision: number }, projectRevision: number): boolean {
  return pause.revision === projectRevision;
}

/** The pauses as the admin sees them: only those of the settings as they are now. */
export function currentPauses(stored: { imap: DirectionPause | null; smtp: DirectionPause | null }, projectRevision: number): ChannelPauses {
  const current = (pause: DirectionPause | null) => (pause && pauseIsCurrent(pause, projectRevision) ? pause : null);
  return { imap: current(stored.imap), smtp: current(stored.smtp) };
}

/** The directions paused now, e.g. for POST …/resume. */
export function pausedDirections(pauses: ChannelPauses): MailDirection[] {
  return MAIL_DIRECTIONS.filter((direction) => pauses[direction] !== null);
}
