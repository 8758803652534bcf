import { describe, expect, it } from 'vitest';
import { subjectMatches } from './subject-match.js';

describe('subjectMatches', () => {
  it.each([
    ['mail.*.received', 'mail.p1.received', true],
    ['mail.*.received', 'mail.p1.sent', false],
    ['ticket.p1.>', 'ticket.p1.message.created', true],
    ['ticket.p1.>', 'ticket.p1', false],
    ['ticket.*.created', 'ticket.p1.message.created', false],
    ['mail.*.send.requested', 'mail.p1.send.requested', true],
  ])('%s against %s is %s', (pattern, subject, expected) => {
    expect(subjectMatches(pattern, subject)).toBe(expected);
  });
});
