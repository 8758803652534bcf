import type { AttachmentMeta } from '@ensoras/contracts';

/** Images a browser may show in place: raster formats only (an SVG can carry script). */
const INLINE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/bmp']);

export interface AttachmentHeaders {
  contentType: string;
  disposition: string;
}

/**
 * How an attachment is served. Inline raster images are shown (they are what `<img>` links in the mail point at);
 * everything else is a download, and a content type that is not a plain `type/subtype` is served as bytes.
 */
export function attachmentHeaders(meta: Pick<AttachmentMeta, 'filename' | 'contentType'>, index: number): AttachmentHeaders {
  const type = meta.contentType.trim().toLowerCase();
  const contentType = /^[a-z0-9!#$&^_.+-]{1,64}\/[a-z0-9!#$&^_.+-]{1,128}$/.test(type) ? type : 'application/octet-stream';
  const name = meta.filename?.trim() || `attachment-${index}`;
  const kind = INLINE_TYPES.has(contentType) ? 'inline' : 'attachment';
  return { contentType, disposition: `${kind}; filename="${asciiFilename(name)}"; filename*=UTF-8''${encodeRfc5987(name)}` };
}

/** A quoted-string fallback for old clients: no quotes, backslashes, control or non-ASCII characters. */
function asciiFilename(name: string): string {
  return name.replace(/[^\x20-\x7e]|["\\]/g, '_');
}

function encodeRfc5987(value: string): string {
  return encodeURIComponent(value).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
