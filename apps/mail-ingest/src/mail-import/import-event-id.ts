import { eventIds } from '@ensoras/contracts';

/**
 * The envelope id (and so the JetStream Nats-Msg-Id) of the mail.received event for one mail, derived from (project,
 * UIDVALIDITY, UID). Importing the same mail again after a crash gives the same id, and JetStream drops the second
 * publish as a duplicate.
 */
export function importEventId(projectId: string, uidValidity: string, uid: number): string {
  return eventIds.derived('mail.received', projectId, uidValidity, uid);
}

/** Where the raw bytes of one mail live in the raw-mail object store. */
export function rawObjectKey(projectId: string, uidValidity: string, uid: number): string {
  return `${projectId}/${uidValidity}/${uid}`;
}
