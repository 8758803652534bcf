/**
 * Compound words: a German heading says "Rückgabefrist" where the customer writes "Rückgabe", "Versandkosten" where
 * the mail says "Versand". A word of at least MIN_PART_CHARS that starts or ends a longer word counts as found in it.
 * Lexemes are compared, so both are already stemmed and lower-cased.
 */
const MIN_PART_CHARS = 5;

/** Whether `lexeme` is the start or end of one of `words` (a compound that holds it). */
export function inCompound(lexeme: string, words: ReadonlyMap<string, unknown>): boolean {
  return compoundsOf(lexeme, words).length > 0;
}

/** Those of `words` that start or end with `lexeme` and are longer than it. */
export function compoundsOf(lexeme: string, words: ReadonlyMap<string, unknown>): string[] {
  if (lexeme.length < MIN_PART_CHARS) return [];
  return [...words.keys()].filter((word) => word.length > lexeme.length && (word.startsWith(lexeme) || word.endsWith(lexeme)));
}
