import { describe, expect, it } from 'vitest';
import { MailFailed, MailSent } from '@ensoras/contracts';
import { mailFailedEvent, mailHeldEvent, mailSentEvent, nameBasedEventId } from './delivery-events.js';

const keys = { outboundMessageId: 'o-1', projectId: 'p1', ticketId: 't-1', messageId: '<r@shop.example>' };
const UUID_V5 = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('delivery events', () => {
  it('derive a stable UUID from a name', () => {
    expect(nameBasedEventId('x')).toMatch(UUID_V5);
    expect(nameBasedEventId('x')).toBe(nameBasedEventId('x'));
    expect(nameBasedEventId('x')).not.toBe(nameBasedEventId('y'));
  });

  it('give the outcome of one delivery the same id every time it is reported', () => {
    const first = mailSentEvent(keys, new Date(), '250 ok');
    const again = mailSentEvent(keys, new Date(), '250 ok');
    expect(first.id).toBe(again.id);
    expect(first.id).toBe('25c0acbb-de64-5c77-b849-bfc065048396'); // the value it has always had
    expect(first.type).toBe(MailSent.type);
    expect(first.payload).toMatchObject({ outboundMessageId: 'o-1', ticketId: 't-1', messageId: '<r@shop.example>', smtpResponse: '250 ok' });
    expect(mailSentEvent({ ...keys, outboundMessageId: 'o-2' }, new Date(), '').id).not.toBe(first.id);
  });

  it('report each transient failure once, and the final failure under one id', () => {
    const transient = { code: 'timeout', reason: 'slow', permanent: false };
    const permanent = { code: 'auth_failed', reason: 'bad password', permanent: true };
    expect(mailFailedEvent(keys, transient, 1).id).not.toBe(mailFailedEvent(keys, transient, 2).id);
    expect(mailFailedEvent(keys, permanent).id).toBe(mailFailedEvent(keys, { ...permanent, code: 'delivery_uncertain' }).id);
    expect(mailFailedEvent(keys, permanent).type).toBe(MailFailed.type);
    expect(mailFailedEvent(keys, permanent).payload).toMatchObject({ code: 'auth_failed', permanent: true });
  });

  it('report a held mail as a temporary failure, once per hold, apart from the attempts', () => {
    const held = mailHeldEvent(keys, { code: 'smtp_paused', reason: 'Sending is paused.' }, 3);
    expect(held.payload).toMatchObject({ code: 'smtp_paused', permanent: false, ticketId: 't-1' });
    expect(held.id).toBe(mailHeldEvent(keys, { code: 'smtp_paused', reason: 'other words' }, 3).id);
    expect(held.id).not.toBe(mailHeldEvent(keys, { code: 'smtp_paused', reason: 'Sending is paused.' }, 4).id);
    expect(held.id).not.toBe(mailFailedEvent(keys, { code: 'auth_failed', reason: '', permanent: false }, 3).id);
  });
});
