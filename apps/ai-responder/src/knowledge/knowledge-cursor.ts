import { ARTICLE_ID_PATTERN } from './knowledge-limits.js';

/**
 * Where a page of the article listing (ordered by article id) ended: its last article's id. Opaque to clients:
 * base64url of `["a", articleId]`, so the form can change without clients depending on it.
 */
export function encodeArticleCursor(articleId: string): string {
  return Buffer.from(JSON.stringify(['a', articleId]), 'utf8').toString('base64url');
}

/** The article id to continue after; null for anything this service did not hand out. */
export function decodeArticleCursor(value: string): string | null {
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(value)) return null;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(decoded) || decoded.length !== 2 || decoded[0] !== 'a') return null;
  const articleId: unknown = decoded[1];
  return typeof articleId === 'string' && ARTICLE_ID_PATTERN.test(articleId) ? articleId : null;
}
