import { describe, expect, it } from 'vitest';
import { subjectThreadHash } from './subject-thread-hash.js';

describe('subjectThreadHash', () => {
  it('is a fixed-size key, whatever the length of the subject', () => {
    expect(subjectThreadHash('anna@customer.example', 'order 42')).toMatch(/^[0-9a-f]{64}$/);
    expect(subjectThreadHash('anna@customer.example', 'x'.repeat(10_000))).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is the same for the same customer and subject, and differs when either differs', () => {
    const key = subjectThreadHash('anna@customer.example', 'order 42');
    expect(subjectThreadHash('anna@customer.example', 'order 42')).toBe(key);
    expect(subjectThreadHash('bob@customer.example', 'order 42')).not.toBe(key);
    expect(subjectThreadHash('anna@customer.example', 'order 43')).not.toBe(key);
  });

  it('is absent for a subject that threads nothing', () => {
    expect(subjectThreadHash('anna@customer.example', null)).toBeNull();
  });
});
