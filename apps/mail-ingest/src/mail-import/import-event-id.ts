import { createHash } from 'node:crypto';

/**
 * The envelope id (and so the JetStream Nats-Msg-Id) of the mail.received event for one mail: a UUID-shaped
 * SHA-256 of (project, UIDVALIDITY, UID). Importing the same mail again after a crash gives the same id, and
 * JetStream drops the second publish as a duplicate.
 */
export function importEventId(projectId: string, uidValidity: string, uid: number): string {
  const hex = createHash('sha256').update(`mail.received\u0000${projectId}\u0000${uidValidity}\u0000${uid}`).digest('hex');
  // RFC 9562 version 8 (custom) with the RFC variant bits, so it passes as a UUID wherever one is expected.
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Where the raw bytes of one mail live in the raw-mail object store. */
export function rawObjectKey(projectId: string, uidValidity: string, uid: number): string {
  return `${projectId}/${uidValidity}/${uid}`;
}
