import { describe, expect, it } from 'vitest';
import { authenticatedSenderProof, parseAuthenticationResults } from './authentication-results.js';

const GMAIL = `mx.google.com;
       dkim=pass header.i=@acme.example header.s=s1 header.b=Ab1/Cd2+;
       spf=pass (google.com: domain of bounce@acme.example designates 192.0.2.1 as permitted sender) smtp.mailfrom=bounce@acme.example;
       dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=acme.example`;

describe('parseAuthenticationResults', () => {
  it('reads the authserv-id and each method with its result and properties, comments dropped', () => {
    expect(parseAuthenticationResults(GMAIL)).toEqual({
      authservId: 'mx.google.com',
      results: [
        { method: 'dkim', result: 'pass', properties: { 'header.i': '@acme.example', 'header.s': 's1', 'header.b': 'Ab1/Cd2+' } },
        { method: 'spf', result: 'pass', properties: { 'smtp.mailfrom': 'bounce@acme.example' } },
        { method: 'dmarc', result: 'pass', properties: { 'header.from': 'acme.example' } },
      ],
    });
  });

  it('keeps quoted values whole, reads versions and nested comments', () => {
    expect(parseAuthenticationResults('mx.example 1; spf/1=fail reason="a; b (c)" (outer (inner; x=y)) smtp.mailfrom=a@b.example')).toEqual({
      authservId: 'mx.example',
      results: [{ method: 'spf', result: 'fail', properties: { reason: 'a; b (c)', 'smtp.mailfrom': 'a@b.example' } }],
    });
  });

  it('gives no results for "none" and null for an empty value', () => {
    expect(parseAuthenticationResults('mx.example; none')).toEqual({ authservId: 'mx.example', results: [] });
    expect(parseAuthenticationResults('')).toBeNull();
    expect(parseAuthenticationResults(undefined)).toBeNull();
  });

  it('reads 1 MB of nested comments and quotes in linear time', () => {
    const hostile = `mx.example; ${'('.repeat(300_000)}${'"'.repeat(300_000)}dmarc=pass${')'.repeat(300_000)}`;
    const started = performance.now();
    parseAuthenticationResults(hostile);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});

describe('authenticatedSenderProof', () => {
  it('accepts dmarc=pass for the domain, or without header.from', () => {
    expect(authenticatedSenderProof(parseAuthenticationResults(GMAIL), 'ACME.example')).toBe('Authentication-Results (mx.google.com): dmarc=pass for acme.example');
    expect(authenticatedSenderProof(parseAuthenticationResults('mx; dmarc=pass'), 'acme.example')).toContain('dmarc=pass');
  });

  it('accepts spf=pass for an envelope sender on the domain (address or bare domain)', () => {
    expect(authenticatedSenderProof(parseAuthenticationResults('mx; spf=pass smtp.mailfrom=x@acme.example'), 'acme.example')).toBe('Authentication-Results (mx): spf=pass for acme.example');
    expect(authenticatedSenderProof(parseAuthenticationResults('mx; spf=pass smtp.mailfrom=acme.example'), 'acme.example')).toContain('spf=pass');
  });

  it('refuses failures, other domains, dkim alone, and nothing', () => {
    const refused = [
      'mx; dmarc=fail header.from=acme.example; spf=softfail smtp.mailfrom=acme.example',
      'mx; dmarc=pass header.from=attacker.example; spf=pass smtp.mailfrom=a@attacker.example',
      'mx; dkim=pass header.d=acme.example',
      'mx; spf=pass smtp.mailfrom=a@sub.acme.example',
      'mx; none',
    ];
    for (const value of refused) expect(authenticatedSenderProof(parseAuthenticationResults(value), 'acme.example'), value).toBeNull();
    expect(authenticatedSenderProof(null, 'acme.example')).toBeNull();
  });
});
