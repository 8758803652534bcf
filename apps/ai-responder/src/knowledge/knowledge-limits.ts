/** What an article may hold, and the ids and languages the knowledge base accepts. */

/** Letters, digits, "-", "_" and "." (not dots alone, which a URL path would resolve away), 1 to 100 characters. */
export const ARTICLE_ID_PATTERN = /^(?!\.+$)[A-Za-z0-9._-]{1,100}$/;
export const ARTICLE_ID_RULE = 'must be 1 to 100 letters, digits, "-", "_" or "." (not dots alone)';

export const MAX_TITLE_CHARS = 300;
/** 200 KB of UTF-8. */
export const MAX_BODY_BYTES = 200 * 1024;
export const MAX_TAGS = 20;
export const MAX_TAG_CHARS = 50;
export const MAX_URL_CHARS = 2_000;
/** Articles in one import, written all or nothing. */
export const MAX_IMPORT_ARTICLES = 500;
export const DEFAULT_LANGUAGE = 'en';

/** One page of the article listing. */
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;

/** The text the search route takes in `q` (a mail's worth; the URL must carry it). */
export const MAX_SEARCH_QUERY_CHARS = 8_000;

/**
 * The service's JSON body limit (express.json refuses larger bodies with a 413 naming it, before they are read): one
 * article of the largest body takes at most 6 × 200 KB (every character escaped as `\uXXXX`), well within it, and so
 * does an import of a help centre's worth of ordinary articles; a larger import is split by the client. Kept this
 * low because bodies are read before the token is checked.
 */
export const KNOWLEDGE_JSON_BODY_LIMIT_BYTES = 4 * 1024 * 1024;

/** ISO 639-1: every two-letter language code. */
export const ISO_639_1_CODES: ReadonlySet<string> = new Set(
  (
    'aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz ee el en eo es ' +
    'et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj ' +
    'kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ' +
    'ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti ' +
    'tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu'
  ).split(' '),
);
