import { createHash } from 'node:crypto';
import { createEnvelope, MailFailed, MailSent, type EventEnvelope, type MailFailedPayload, type MailSentPayload } from '@ensoras/contracts';
import type { Delivery } from './delivery.entity.js';
import type { DeliveryFailure } from './send-failure.js';

/** Namespace of this service's name-based event ids (a fixed random UUID). */
const EVENT_ID_NAMESPACE = Buffer.from('4d6b1a0e9c3f4f7e8a215b0d6c2e7f31', 'hex');

/**
 * A UUID (version 5, RFC 9562) derived from a name: the outcome of one delivery always gets the same event id, so
 * telling ticketing again is de-duplicated by JetStream (Nats-Msg-Id) and by any consumer's inbox.
 */
export function nameBasedEventId(name: string): string {
  const hash = createHash('sha1').update(EVENT_ID_NAMESPACE).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** What identifies a delivery in the events about it. */
export type DeliveryKeys = Pick<Delivery, 'outboundMessageId' | 'projectId' | 'ticketId' | 'messageId'>;

export function mailSentEvent(delivery: DeliveryKeys, sentAt: Date, smtpResponse: string): EventEnvelope<MailSentPayload> {
  return createEnvelope(
    MailSent,
    delivery.projectId,
    { outboundMessageId: delivery.outboundMessageId, ticketId: delivery.ticketId, messageId: delivery.messageId, sentAt: sentAt.toISOString(), smtpResponse },
    nameBasedEventId(`mail.sent:${delivery.outboundMessageId}`),
  );
}

/**
 * The final failure has one id per delivery; a transient one (permanent: false, "still trying") one per attempt,
 * so each retry is reported once.
 */
export function mailFailedEvent(delivery: DeliveryKeys, failure: DeliveryFailure, attempt?: number): EventEnvelope<MailFailedPayload> {
  const name = failure.permanent ? `mail.failed:${delivery.outboundMessageId}` : `mail.failed:${delivery.outboundMessageId}:attempt:${attempt ?? 0}`;
  return createEnvelope(
    MailFailed,
    delivery.projectId,
    {
      outboundMessageId: delivery.outboundMessageId,
      ticketId: delivery.ticketId,
      messageId: delivery.messageId,
      code: failure.code,
      reason: failure.reason,
      permanent: failure.permanent,
    },
    nameBasedEventId(name),
  );
}

/**
 * "Held, not failed": a mail parked because the project's SMTP cannot log in (paused, or a rejected login that is
 * tried again). Reported as a temporary failure, so ticketing keeps the message queued with the reason as its note;
 * one id per hold (`attempt`: the attempts made when it was held).
 */
export function mailHeldEvent(delivery: DeliveryKeys, failure: Omit<DeliveryFailure, 'permanent'>, attempt: number): EventEnvelope<MailFailedPayload> {
  return createEnvelope(
    MailFailed,
    delivery.projectId,
    {
      outboundMessageId: delivery.outboundMessageId,
      ticketId: delivery.ticketId,
      messageId: delivery.messageId,
      code: failure.code,
      reason: failure.reason,
      permanent: false,
    },
    nameBasedEventId(`mail.failed:${delivery.outboundMessageId}:held:${attempt}`),
  );
}
