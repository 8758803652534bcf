import { describe, expect, it } from 'vitest';
import { MAX_TRAILING_REFERENCES, replyReferences } from './reply-references.js';

const id = (n: number) => `<m${n}@example.com>`;

describe('replyReferences', () => {
  it('is the answered message alone when it starts the thread', () => {
    expect(replyReferences({ messageId: id(1), references: [] })).toEqual([id(1)]);
  });

  it('appends the answered Message-ID to its References', () => {
    expect(replyReferences({ messageId: id(3), references: [id(1), id(2)] })).toEqual([id(1), id(2), id(3)]);
  });

  it('drops repeated ids, keeping the first occurrence', () => {
    expect(replyReferences({ messageId: id(2), references: [id(1), id(2), id(1)] })).toEqual([id(1), id(2)]);
  });

  it('keeps the root and the last 20 ids of a long chain', () => {
    const references = Array.from({ length: 40 }, (_, i) => id(i));
    const chain = replyReferences({ messageId: id(40), references });
    expect(chain).toHaveLength(MAX_TRAILING_REFERENCES + 1);
    expect(chain[0]).toBe(id(0));
    expect(chain.slice(1)).toEqual(Array.from({ length: 20 }, (_, i) => id(21 + i)));
    expect(chain.at(-1)).toBe(id(40));
  });

  it('leaves a chain of exactly root + 20 untouched', () => {
    const references = Array.from({ length: 20 }, (_, i) => id(i));
    expect(replyReferences({ messageId: id(20), references })).toEqual([...references, id(20)]);
  });
});
