import { rootAndLast } from '../tickets/reference-chain.js';

/** Ids kept from the end of a long chain; with the root that bounds the header as common mail clients do. */
export const MAX_TRAILING_REFERENCES = 20;

/**
 * The References of our reply to `answered`: its own References followed by its Message-ID, without duplicates,
 * trimmed to the thread's root plus the last 20 ids so that a long conversation does not grow the header forever.
 */
export function replyReferences(answered: { messageId: string; references: readonly string[] }): string[] {
  return rootAndLast([...new Set([...answered.references, answered.messageId])], MAX_TRAILING_REFERENCES);
}
