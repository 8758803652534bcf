import { createEnvelope, eventIds, MailFailed, MailSent, type EventEnvelope, type MailFailedPayload, type MailSentPayload } from '@ensoras/contracts';
import type { Delivery } from './delivery.entity.js';
import type { DeliveryFailure } from './send-failure.js';

/** Namespace of this service's name-based event ids (a fixed random UUID). */
const EVENT_ID_NAMESPACE = '4d6b1a0e-9c3f-4f7e-8a21-5b0d6c2e7f31';

/**
 * The id of an event named `name` (a name-based UUID, version 5): the outcome of one delivery always gets the same
 * event id, so telling ticketing again is de-duplicated by JetStream (Nats-Msg-Id) and by any consumer's inbox.
 */
export function nameBasedEventId(name: string): string {
  return eventIds.namedV5(EVENT_ID_NAMESPACE, name);
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
