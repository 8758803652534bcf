import { describe, expect, it } from 'vitest';
import type { InboundAttachment } from '@ensoras/mail';
import { ParsedAttachmentsCache } from './parsed-attachments-cache.js';

const attachment = (bytes: number): InboundAttachment => ({
  meta: { filename: 'a.bin', contentType: 'application/octet-stream', size: bytes, contentId: null, inline: false },
  content: Buffer.alloc(bytes),
});

describe('ParsedAttachmentsCache', () => {
  it('parses a mail once for concurrent and later downloads', async () => {
    const cache = new ParsedAttachmentsCache();
    let loads = 0;
    const load = async () => {
      loads += 1;
      return [attachment(10)];
    };
    await Promise.all([cache.get('k', load), cache.get('k', load), cache.get('k', load)]);
    await cache.get('k', load);
    expect(loads).toBe(1);
  });

  it('forgets the least recently used mail beyond its byte budget or mail count', async () => {
    const cache = new ParsedAttachmentsCache({ maxBytes: 100, maxMails: 2 });
    const loads: string[] = [];
    const load = (key: string, bytes: number) => async () => {
      loads.push(key);
      return [attachment(bytes)];
    };
    await cache.get('a', load('a', 40));
    await cache.get('b', load('b', 40));
    await cache.get('a', load('a', 40));
    await cache.get('c', load('c', 40));
    // b was least recently used when c came.
    await cache.get('a', load('a', 40));
    await cache.get('b', load('b', 40));
    expect(loads).toEqual(['a', 'b', 'c', 'b']);
    await cache.get('big', load('big', 500));
    await cache.get('big', load('big', 500));
    expect(loads.filter((key) => key === 'big')).toHaveLength(2);
  });

  it('expires entries, and does not remember a mail that is gone or failed', async () => {
    let now = 0;
    const cache = new ParsedAttachmentsCache({ ttlMs: 1_000, now: () => now });
    let loads = 0;
    const load = async () => {
      loads += 1;
      return [attachment(1)];
    };
    await cache.get('k', load);
    now = 2_000;
    await cache.get('k', load);
    expect(loads).toBe(2);

    let goneLoads = 0;
    const gone = async () => {
      goneLoads += 1;
      return null;
    };
    await cache.get('gone', gone);
    await cache.get('gone', gone);
    expect(goneLoads).toBe(2);
    await expect(cache.get('bad', () => Promise.reject(new Error('broken')))).rejects.toThrow('broken');
    expect(await cache.get('bad', async () => [attachment(1)])).toHaveLength(1);
  });
});
