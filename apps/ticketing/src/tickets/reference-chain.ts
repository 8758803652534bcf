/**
 * A chain of Message-IDs (References) shortened to its first id, the thread's root, and the last `trailing` ones,
 * the nearest ancestors: what threading and mail clients look at. Shorter chains stay as they are.
 */
export function rootAndLast(ids: readonly string[], trailing: number): string[] {
  if (ids.length <= trailing + 1) return [...ids];
  return [ids[0]!, ...ids.slice(-trailing)];
}
