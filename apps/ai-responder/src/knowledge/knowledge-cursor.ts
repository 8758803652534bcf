import { decodeCursor, encodeCursor } from '@ensoras/runtime';
import { ARTICLE_ID_PATTERN } from './knowledge-limits.js';

/**
 * Where a page of the article listing (ordered by article id) ended: its last article's id, as the keys
 * `["a", articleId]` of an opaque cursor, so the form can change without clients depending on it.
 */
export function encodeArticleCursor(articleId: string): string {
  return encodeCursor(['a', articleId]);
}

/** The article id to continue after; null for anything this service did not hand out. */
export function decodeArticleCursor(value: string): string | null {
  const keys = decodeCursor(value, 2, 400);
  return keys && keys[0] === 'a' && ARTICLE_ID_PATTERN.test(keys[1]!) ? keys[1]! : null;
}
