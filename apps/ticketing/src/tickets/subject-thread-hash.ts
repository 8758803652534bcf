import { createHash } from 'node:crypto';

/**
 * What the subject rule of threading looks tickets up by: a SHA-256 (hex) of the customer's address and the subject's
 * thread key. A btree index entry holds at most about 2.7 KB, and subjects and addresses can be longer; the hash is
 * always 64 characters. Tickets found by it are compared on the full values, so a collision joins nothing.
 * The migration that added it computes the same in SQL: sha256(convert_to(address || E'\n' || key, 'UTF8')).
 */
export function subjectThreadHash(customerAddress: string, subjectKey: string | null): string | null {
  if (subjectKey === null) return null;
  return createHash('sha256').update(`${customerAddress}\n${subjectKey}`, 'utf8').digest('hex');
}
