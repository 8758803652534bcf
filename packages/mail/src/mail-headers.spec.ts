import { describe, expect, it } from 'vitest';
import { headersFromLines, parseContentType, unfoldHeaderValue } from './mail-headers.js';

describe('unfoldHeaderValue', () => {
  it('joins folded lines and trims', () => {
    expect(unfoldHeaderValue(' multipart/report;\r\n\treport-type=delivery-status;\r\n  boundary="x" ')).toBe(
      'multipart/report; report-type=delivery-status; boundary="x"',
    );
    expect(unfoldHeaderValue('a\n b')).toBe('a b');
  });
});

describe('headersFromLines', () => {
  const lines = [
    { key: 'received', line: 'Received: from a by b;\r\n\tMon, 1 Jan 2024 00:00:00 +0000' },
    { key: 'received', line: 'Received: from c by d' },
    { key: 'auto-submitted', line: 'Auto-Submitted: auto-replied' },
    { key: 'X-Loop', line: 'X-Loop:   support@example.com  ' },
    { key: 'x-empty', line: 'X-Empty:' },
    { key: 'subject', line: 'Subject: Time: 12:00' },
  ];

  it('maps lower-case names to the unfolded value of the first occurrence', () => {
    expect(headersFromLines(lines)).toEqual({
      received: 'from a by b; Mon, 1 Jan 2024 00:00:00 +0000',
      'auto-submitted': 'auto-replied',
      'x-loop': 'support@example.com',
      'x-empty': '',
      subject: 'Time: 12:00',
    });
  });

  it('keeps only the named headers when asked', () => {
    expect(headersFromLines(lines, ['Auto-Submitted', 'x-loop'])).toEqual({
      'auto-submitted': 'auto-replied',
      'x-loop': 'support@example.com',
    });
  });
});

describe('parseContentType', () => {
  it('splits media type and parameters, case-insensitively', () => {
    expect(parseContentType('Multipart/Report; Report-Type=delivery-status; boundary="b (1)"')).toEqual({
      mediaType: 'multipart/report',
      params: { 'report-type': 'delivery-status', boundary: 'b (1)' },
    });
  });

  it('is null for nothing', () => {
    expect(parseContentType(null)).toBeNull();
    expect(parseContentType('  ')).toBeNull();
  });
});
