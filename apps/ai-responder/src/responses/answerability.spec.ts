import { describe, expect, it } from 'vitest';
import type { ChannelSettingsSnapshot, TicketMessageView } from '@ensoras/contracts';
import { decideAnswer } from './answerability.js';

const settings: ChannelSettingsSnapshot = {
  projectId: 'p1',
  enabled: true,
  revision: 1,
  updatedAt: '2025-01-01T00:00:00.000Z',
  communicationStyle: '',
  imap: { host: 'imap.acme.test', port: 993, encryption: 'ssl', username: 'inbox@acme.test', validateCertificate: true, markAsRead: false, password: { sealed: 'x' } },
  smtp: { host: 'smtp.acme.test', port: 587, encryption: 'tls', username: 'mailer@acme.test', validateCertificate: true, password: { sealed: 'x' } },
  identity: { fromEmail: 'support@acme.test', fromName: 'ACME Support', signatureHtml: '' },
  guidelines: '',
  responseDelay: { minSeconds: 0, maxSeconds: 0 },
};

function message(overrides: Partial<TicketMessageView> = {}): TicketMessageView {
  return {
    id: 'm1', ticketId: 't1', direction: 'inbound', author: 'customer', from: { address: 'jane@example.com', name: 'Jane' },
    to: [], cc: [], subject: 'Help', text: 'Help me', newText: 'Help me', html: null, attachments: [], note: null, messageId: '<a@example.com>', inReplyTo: null, references: [],
    deliveryStatus: 'received', deliveryNote: null, kind: 'normal', kindReasons: [], date: null, createdAt: '2025-01-01T00:00:00.000Z',
    ...overrides,
  };
}

describe('decideAnswer', () => {
  it('answers a customer\'s normal mail on an enabled channel', () => {
    expect(decideAnswer(message(), settings)).toEqual({ answer: true });
  });

  it('treats a message without a kind (an event from before classification) as normal', () => {
    expect(decideAnswer(message({ kind: undefined as never }), settings)).toEqual({ answer: true });
  });

  it('never answers machines', () => {
    for (const kind of ['auto-reply', 'out-of-office', 'bounce', 'mailing-list', 'read-receipt', 'feedback-report', 'own'] as const) {
      expect(decideAnswer(message({ kind }), settings).answer).toBe(false);
    }
  });

  it('never answers our own addresses, whatever the classification said, and asks a person to look', () => {
    for (const address of ['support@acme.test', 'SUPPORT@acme.test', 'inbox@acme.test', 'mailer@acme.test']) {
      expect(decideAnswer(message({ from: { address, name: '' } }), settings)).toMatchObject({ answer: false, handOff: true });
    }
  });

  it('hands nothing off for mail that merely needs no answer', () => {
    expect(decideAnswer(message({ kind: 'auto-reply' }), settings)).not.toHaveProperty('handOff');
    expect(decideAnswer(message(), { ...settings, enabled: false })).not.toHaveProperty('handOff');
  });

  it('never answers outbound messages', () => {
    expect(decideAnswer(message({ direction: 'outbound', author: 'ai' }), settings).answer).toBe(false);
    expect(decideAnswer(message({ direction: 'outbound', author: 'agent' }), settings).answer).toBe(false);
  });

  it('does not answer without an enabled channel', () => {
    expect(decideAnswer(message(), { ...settings, enabled: false }).answer).toBe(false);
    expect(decideAnswer(message(), undefined).answer).toBe(false);
  });

  it('leaves mail from the mailbox history to people, and answers recent mail', () => {
    const now = new Date('2026-11-25T12:00:00Z');
    const policy = { maxAgeHours: 24 };
    const old = decideAnswer(message({ date: '2026-11-20T12:00:00Z' }), settings, policy, now);
    expect(old).toEqual({ answer: false, reason: 'written 120 h ago, older than 24 h: mailbox history' });
    expect(decideAnswer(message({ date: '2026-11-25T11:00:00Z' }), settings, policy, now)).toEqual({ answer: true });
    expect(decideAnswer(message({ date: null }), settings, policy, now)).toEqual({ answer: true });
    expect(decideAnswer(message({ date: '2026-11-20T12:00:00Z' }), settings, { maxAgeHours: 0 }, now)).toEqual({ answer: true });
  });

  it("leaves the history a newly enabled channel imports to people, however recent: it may be answered already", () => {
    const now = new Date('2026-11-25T12:00:00Z');
    const recent = message({ date: '2026-11-25T11:00:00Z' });
    expect(decideAnswer(recent, settings, { maxAgeHours: 24 }, now, true)).toEqual({
      answer: false,
      reason: "imported from the mailbox's history when the channel was enabled",
    });
    expect(decideAnswer(recent, settings, { maxAgeHours: 0 }, now, true).answer).toBe(false);
    expect(decideAnswer(recent, settings, { maxAgeHours: 24 }, now, false)).toEqual({ answer: true });
  });
});
