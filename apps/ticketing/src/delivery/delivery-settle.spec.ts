import { describe, expect, it } from 'vitest';
import type { MailFailedPayload, MailSentPayload } from '@ensoras/contracts';
import { settle, type DeliveryReport } from './delivery-report.service.js';

const sent: DeliveryReport = { status: 'sent', payload: { outboundMessageId: 'o', ticketId: 't', messageId: '<m@x>', sentAt: '', smtpResponse: '250 OK' } satisfies MailSentPayload };
const failed = (permanent: boolean): DeliveryReport => ({
  status: 'failed',
  payload: { outboundMessageId: 'o', ticketId: 't', messageId: '<m@x>', code: 'smtp_rejected', reason: '554 no', permanent } satisfies MailFailedPayload,
});

describe('settle (delivery reports)', () => {
  it('marks a queued mail sent, failed, or queued with the reason of a temporary failure', () => {
    expect(settle({ deliveryStatus: 'queued', deliveryNote: null }, sent)).toEqual({ deliveryStatus: 'sent', deliveryNote: null });
    expect(settle({ deliveryStatus: 'queued', deliveryNote: null }, failed(true))).toEqual({ deliveryStatus: 'failed', deliveryNote: 'smtp_rejected: 554 no' });
    expect(settle({ deliveryStatus: 'queued', deliveryNote: null }, failed(false)).deliveryStatus).toBe('queued');
  });

  it('keeps a sent mail sent when a late failure arrives', () => {
    expect(settle({ deliveryStatus: 'sent', deliveryNote: null }, failed(true))).toEqual({ deliveryStatus: 'sent', deliveryNote: null });
  });

  it('keeps a bounced mail bounced, with its note, whatever report arrives after the bounce', () => {
    const bounced = { deliveryStatus: 'bounced' as const, deliveryNote: 'Bounced (5.1.1)' };
    expect(settle(bounced, sent)).toEqual(bounced);
    expect(settle(bounced, failed(true))).toEqual(bounced);
  });
});
