/**
 * The attachments of recently opened mails, parsed once: a message with ten inline images is ten downloads, and
 * each used to parse the whole raw mail again. Least recently used mails go first once the cache holds more than
 * its byte budget or its number of mails; an entry also expires, so memory is given back after a while.
 */
import type { InboundAttachment } from '@ensoras/mail';

interface Entry {
  attachments: Promise<InboundAttachment[] | null>;
  bytes: number;
  expiresAt: number;
}

export interface ParsedAttachmentsCacheOptions {
  maxBytes?: number;
  maxMails?: number;
  ttlMs?: number;
  now?: () => number;
}

export class ParsedAttachmentsCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  private readonly maxBytes: number;
  private readonly maxMails: number;
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(options: ParsedAttachmentsCacheOptions = {}) {
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.maxMails = options.maxMails ?? 32;
    this.ttlMs = options.ttlMs ?? 10 * 60_000;
    this.now = options.now ?? Date.now;
  }

  /** The cached attachments of `key`, or those `load` gives (one load for concurrent requests of the same mail). */
  get(key: string, load: () => Promise<InboundAttachment[] | null>): Promise<InboundAttachment[] | null> {
    const cached = this.entries.get(key);
    if (cached && cached.expiresAt > this.now()) {
      // Map order is insertion order: re-inserting marks it most recently used.
      this.entries.delete(key);
      this.entries.set(key, cached);
      return cached.attachments;
    }
    if (cached) this.remove(key);
    const entry: Entry = { attachments: load(), bytes: 0, expiresAt: this.now() + this.ttlMs };
    this.entries.set(key, entry);
    entry.attachments.then(
      (attachments) => {
        if (this.entries.get(key) !== entry) return;
        // A mail that is gone is not remembered: it may be stored again later.
        if (attachments === null) return this.remove(key);
        entry.bytes = attachments.reduce((sum, attachment) => sum + attachment.content.length, 0);
        this.bytes += entry.bytes;
        this.evict();
      },
      () => this.entries.get(key) === entry && this.remove(key),
    );
    this.evict();
    return entry.attachments;
  }

  private evict(): void {
    for (const key of this.entries.keys()) {
      if (this.bytes <= this.maxBytes && this.entries.size <= this.maxMails) return;
      this.remove(key);
    }
  }

  private remove(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.bytes -= entry.bytes;
    this.entries.delete(key);
  }
}
