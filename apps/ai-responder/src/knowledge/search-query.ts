/**
 * PostgreSQL text search for a customer's mail: which text search configuration a language is stemmed with, and the
 * query a long natural-language text becomes. A mail is not a search box: every word of it (plainto_tsquery's AND)
 * is never in one passage, so the query is an OR of the text's lexemes, ranked by how much of it a passage holds.
 */

/** ISO 639-1 → PostgreSQL's built-in text search configuration (snowball stemmer and stop words). */
const CONFIG_OF_LANGUAGE: Readonly<Record<string, string>> = {
  en: 'english', de: 'german', fr: 'french', es: 'spanish', it: 'italian', nl: 'dutch', pt: 'portuguese', sv: 'swedish',
  da: 'danish', fi: 'finnish', no: 'norwegian', nb: 'norwegian', nn: 'norwegian', ru: 'russian', ar: 'arabic', hy: 'armenian',
  eu: 'basque', ca: 'catalan', el: 'greek', hi: 'hindi', hu: 'hungarian', id: 'indonesian', ga: 'irish', lt: 'lithuanian',
  ne: 'nepali', et: 'estonian', ro: 'romanian', sr: 'serbian', ta: 'tamil', tr: 'turkish', yi: 'yiddish',
};

/** No stemming and no stop words: for languages PostgreSQL has no configuration for. */
export const SIMPLE_CONFIG = 'simple';

/**
 * The configuration a text in `language` is searched with: its own where the server has it (`available`: the names
 * in pg_ts_config; older servers lack some), else 'simple'.
 */
export function searchConfigOf(language: string, available: ReadonlySet<string>): string {
  const config = CONFIG_OF_LANGUAGE[language.toLowerCase()];
  return config !== undefined && available.has(config) ? config : SIMPLE_CONFIG;
}

/** Lexemes of a text a query takes at most (the first ones in the text: a mail says what it wants first). */
export const MAX_QUERY_LEXEMES = 64;
/** Characters of a text that are looked at for lexemes; a mail beyond it is quoted history or an attachment. */
export const MAX_QUERY_TEXT_CHARS = 20_000;

/**
 * One lexeme as a tsquery operand: quoted, so nothing in it (`'`, `\`, `:*`, `|`, `&`, `!`, `(`, `<->`) is syntax.
 * Inside quotes tsquery input takes `''` for a quote and a backslash escapes the next character.
 */
export function quoteLexeme(lexeme: string): string {
  return `'${lexeme.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/**
 * The tsquery (its text form, to be cast with `::tsquery`, which takes lexemes as they are, unstemmed again) that
 * matches any of the lexemes; null when there are none. Duplicates and empty ones are dropped, at most
 * MAX_QUERY_LEXEMES kept, in order.
 */
export function orQuery(lexemes: readonly string[]): string | null {
  const distinct = distinctLexemes(lexemes);
  return distinct.length === 0 ? null : distinct.map(quoteLexeme).join(' | ');
}

/** The lexemes a query is made of: distinct, non-empty, at most MAX_QUERY_LEXEMES, in order. */
export function distinctLexemes(lexemes: readonly string[]): string[] {
  return [...new Set(lexemes.filter((lexeme) => lexeme.length > 0))].slice(0, MAX_QUERY_LEXEMES);
}

