import { describe, expect, it } from 'vitest';
import { trustedClassification } from './own-mail.js';

const OURS = '<0b8f5c3e-6a41-4d7e-9c1a-2f3b4c5d6e7f@acme.test>';
const own = { kind: 'own' as const, reasons: ["From is the channel's own address support@acme.test", 'Message-ID is one we generate (on acme.test)'] };

describe('trustedClassification', () => {
  it('takes an own mail with an id of our form that we never sent for a forgery: normal, with the reason', () => {
    const trusted = trustedClassification(own, OURS, 'support@acme.test');
    expect(trusted.kind).toBe('normal');
    expect(trusted.reasons.at(-1)).toMatch(/not one we sent: forged/);
  });

  it('keeps own mail proven otherwise (Authentication-Results), whose id is not of our form', () => {
    const authenticated = { kind: 'own' as const, reasons: ['Authentication-Results (mx.acme.test): dmarc=pass for acme.test'] };
    expect(trustedClassification(authenticated, '<CAF+x@mail.gmail.com>', 'support@acme.test')).toEqual(authenticated);
  });

  it('leaves every other kind as it is, and reads a missing classification as normal', () => {
    const bounce = { kind: 'bounce' as const, reasons: ['Content-Type: multipart/report; report-type=delivery-status'] };
    expect(trustedClassification(bounce, OURS, 'support@acme.test')).toEqual(bounce);
    expect(trustedClassification(undefined, OURS, 'support@acme.test')).toEqual({ kind: 'normal', reasons: [] });
  });

  it('cannot judge without the channel identity and keeps the claim', () => {
    expect(trustedClassification(own, OURS, null)).toEqual(own);
  });
});
