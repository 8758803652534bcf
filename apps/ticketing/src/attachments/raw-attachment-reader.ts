import { Injectable } from '@nestjs/common';
import { RAW_MAIL_OBJECT_STORE, type AttachmentMeta } from '@ensoras/contracts';
import { readInboundAttachments } from '@ensoras/mail';
import { KeyValueBuckets } from '@ensoras/messaging';
import { ParsedAttachmentsCache } from './parsed-attachments-cache.js';

export interface AttachmentContent {
  meta: AttachmentMeta;
  content: Buffer;
}

/**
 * Reads one attachment's bytes from the raw mail mail-ingest kept in the `raw-mail` object store. Ticketing stores
 * only the metadata; the bytes are decoded on request through the parse path mail-ingest listed them with
 * (readInboundAttachments: same normalisation, same budget), so the list the ticket shows and the download agree.
 * Parsed mails are cached for a while (ParsedAttachmentsCache).
 */
@Injectable()
export class RawAttachmentReader {
  private readonly cache = new ParsedAttachmentsCache();

  constructor(private readonly buckets: KeyValueBuckets) {}

  /** Null when the raw mail is gone or the attachment cannot be found in it any more. */
  async read(rawObjectKey: string, attachments: readonly AttachmentMeta[], index: number): Promise<AttachmentContent | null> {
    const meta = attachments[index];
    if (!meta) return null;
    const parsed = await this.cache.get(rawObjectKey, async () => {
      const store = await this.buckets.objectStore(RAW_MAIL_OBJECT_STORE);
      const raw = await store.getBlob(rawObjectKey);
      return raw ? readInboundAttachments(Buffer.from(raw)) : null;
    });
    if (!parsed) return null;
    const found = pickAttachment(parsed.map((attachment) => ({ ...attachment.meta, content: attachment.content })), attachments, index);
    return found ? { meta, content: found.content } : null;
  }
}

/** The fields by which a stored attachment is recognised among the parsed ones. */
type ParsedAttachment = Pick<AttachmentMeta, 'filename' | 'contentType' | 'size' | 'contentId'> & { content: Buffer };

/**
 * The parsed attachment that the stored metadata at `index` describes: among the parsed parts that look exactly like
 * it, the one of the same rank as it has among the stored ones. With the same parse path that is simply the part at
 * `index`; a list stored by an older version that parsed differently still gets the right bytes. Null rather than a
 * wrong file.
 */
export function pickAttachment(parsed: readonly ParsedAttachment[], stored: readonly AttachmentMeta[], index: number): Pick<ParsedAttachment, 'content'> | null {
  const wanted = stored[index];
  if (!wanted) return null;
  const matches = (candidate: ParsedAttachment) => sameMeta(candidate, wanted);
  const rank = stored.slice(0, index).filter((meta) => sameMeta(meta, wanted)).length;
  return parsed.filter(matches)[rank] ?? null;
}

function sameMeta(a: Omit<ParsedAttachment, 'content'>, b: Omit<ParsedAttachment, 'content'>): boolean {
  return (a.filename ?? null) === (b.filename ?? null) && a.contentType === b.contentType && a.size === b.size && (a.contentId ?? null) === (b.contentId ?? null);
}
