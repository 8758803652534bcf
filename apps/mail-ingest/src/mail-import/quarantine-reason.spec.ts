import { describe, expect, it } from 'vitest';
import { ParseTimeoutError } from '@ensoras/mail';
import { DECLARED_SIZE_METADATA, declaredSizeOf, quarantineReason } from './mail-importer.js';

describe('quarantineReason', () => {
  it('is parse_timeout for a parse over the time limit', () => {
    expect(quarantineReason(new ParseTimeoutError(10_000))).toBe('parse_timeout: parsing took longer than 10000 ms');
  });

  it("is the error's name and message otherwise", () => {
    expect(quarantineReason(new Error('Max allowed child nodes exceeded'))).toBe('Error: Max allowed child nodes exceeded');
    expect(quarantineReason('odd')).toBe('odd');
  });
});

describe('declaredSizeOf', () => {
  it('reads the whole size of a mail kept only in part, and nothing for a mail kept whole', () => {
    expect(declaredSizeOf({ metadata: { [DECLARED_SIZE_METADATA]: '209715200' } })).toBe(209_715_200);
    expect(declaredSizeOf({ metadata: {} })).toBeUndefined();
    expect(declaredSizeOf({})).toBeUndefined();
    expect(declaredSizeOf(null)).toBeUndefined();
    expect(declaredSizeOf({ metadata: { [DECLARED_SIZE_METADATA]: 'lots' } })).toBeUndefined();
  });
});
