import { Injectable } from '@nestjs/common';
import { simpleParser, type Attachment } from 'mailparser';
import { RAW_MAIL_OBJECT_STORE, type AttachmentMeta } from '@ensoras/contracts';
import { KeyValueBuckets } from '@ensoras/messaging';

export interface AttachmentContent {
  meta: AttachmentMeta;
  content: Buffer;
}

/**
 * Reads one attachment's bytes from the raw mail mail-ingest kept in the `raw-mail` object store. Ticketing stores
 * only the metadata; decoding on request keeps its database small and costs a parse per download.
 */
@Injectable()
export class RawAttachmentReader {
  constructor(private readonly buckets: KeyValueBuckets) {}

  /** Null when the raw mail is gone or the attachment cannot be found in it any more. */
  async read(rawObjectKey: string, attachments: readonly AttachmentMeta[], index: number): Promise<AttachmentContent | null> {
    const meta = attachments[index];
    if (!meta) return null;
    const store = await this.buckets.objectStore(RAW_MAIL_OBJECT_STORE);
    const raw = await store.getBlob(rawObjectKey);
    if (!raw) return null;
    // The same parser options as mail-ingest's, which listed the attachments: the same list comes out.
    const parsed = await simpleParser(Buffer.from(raw), { skipImageLinks: true, skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true });
    const found = pickAttachment(parsed.attachments, attachments, index);
    return found ? { meta, content: found.content } : null;
  }
}

/**
 * The parsed attachment that the stored metadata at `index` describes: among the parsed parts that look exactly like
 * it, the one of the same rank as it has among the stored ones. With the same parser that is simply the part at
 * `index`; a parser that lists parts in another order still serves the right bytes. Null rather than a wrong file.
 */
export function pickAttachment(
  parsed: ReadonlyArray<Pick<Attachment, 'filename' | 'contentType' | 'size' | 'contentId' | 'content'>>,
  stored: readonly AttachmentMeta[],
  index: number,
): Pick<Attachment, 'content'> | null {
  const wanted = stored[index];
  if (!wanted) return null;
  const matches = (candidate: (typeof parsed)[number]) =>
    (candidate.filename ?? null) === wanted.filename &&
    candidate.contentType === wanted.contentType &&
    candidate.size === wanted.size &&
    (candidate.contentId ?? null) === wanted.contentId;
  const rank = stored.slice(0, index).filter((meta) => sameMeta(meta, wanted)).length;
  return parsed.filter(matches)[rank] ?? null;
}

function sameMeta(a: AttachmentMeta, b: AttachmentMeta): boolean {
  return a.filename === b.filename && a.contentType === b.contentType && a.size === b.size && a.contentId === b.contentId;
}
