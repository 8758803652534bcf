import { Injectable, Logger } from '@nestjs/common';
import type { ChannelSettingsSnapshot, EventEnvelope, MailSendRequestedPayload } from '@ensoras/contracts';
import { withoutSecret } from '@ensoras/mail';
import { ChannelSettingsReplica, Outbox } from '@ensoras/messaging';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import { DataSource, type EntityManager } from 'typeorm';
import { DeliveryMetrics } from '../metrics/delivery-metrics.js';
import { decideDelivery, isLastAttempt, MAX_SEND_ATTEMPTS } from './delivery-decision.js';
import { Delivery } from './delivery.entity.js';
import { withEndOfDataGate } from './end-of-data-gate.js';
import { mailFailedEvent, mailSentEvent, type DeliveryKeys } from './delivery-events.js';
import { composeReplyMail, requestProblem } from './reply-mail.js';
import { classifySendError, type DeliveryFailure } from './send-failure.js';
import { credentialFailure } from './smtp-credentials.js';
import { MAX_CONNECTIONS_PER_PROJECT, SmtpTransports, type ChannelTransport, type SendingChannel } from './smtp-transports.js';

/** The delivery row's keys for a send request, as both ways of taking it write them. */
function deliveryKeysOf(envelope: EventEnvelope<MailSendRequestedPayload>): DeliveryKeys {
  const request = envelope.payload;
  return { outboundMessageId: request.outboundMessageId, projectId: envelope.projectId, ticketId: request.ticketId, messageId: String(request.messageId ?? '') };
}

/** Thrown for a transient failure: the JetStream transport redelivers the request with back-off. */
export class SendDeferredError extends Error {
  override readonly name = 'SendDeferredError';
}

/** The attempt lost its hold on the send before the end of DATA; nothing was delivered and another attempt owns it. */
class HandOverRefusedError extends Error {
  override readonly name = 'HandOverRefusedError';
}

type Claim =
  /** Nothing to send; failedCode when this delivery just failed for good. */
  | { kind: 'settled'; failedCode?: string }
  | { kind: 'in-flight' }
  | { kind: 'send'; attempt: number; channel: SendingChannel };

/**
 * Sends each requested mail at most once, through the project's SMTP server:
 * (a) a short transaction records the send as taken (`sending`, attempts + 1), or finds it settled before and only
 *     repeats the outcome; (b) the SMTP transaction runs with no database connection held; (c) a second transaction
 *     settles it (`sent`, `retrying` or `failed`) together with the mail.sent / mail.failed event in the outbox.
 * A row still `sending` when its request comes back means an attempt died between (a) and (c): the server may
 * have the mail already, so it is never sent again (see decideDelivery).
 */
@Injectable()
export class DeliveryService {
  private readonly logger = new Logger(DeliveryService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly channels: ChannelSettingsReplica,
    private readonly transports: SmtpTransports,
    private readonly metrics: DeliveryMetrics,
  ) {}

  /**
   * Handles consecutive mail.send.requested of one project: the replies of different tickets side by side, as many
   * at a time as the project's pool has connections, those of one ticket one after another, in order. A send is
   * claimed only when a connection is there for it, so no claim waits in the pool's queue: a claim that outlived its
   * lease while waiting could be sent by another attempt too. Throws the first failure once all are settled; the
   * transport then handles the batch's events again one by one, and each delivery row makes that harmless (a mail
   * sent meanwhile is only reported again, never sent again).
   */
  async deliverMany(requests: ReadonlyArray<{ envelope: EventEnvelope<MailSendRequestedPayload>; deliveryCount: number }>): Promise<void> {
    const byTicket = new Map<string, typeof requests[number][]>();
    for (const request of requests) {
      const key = String(request.envelope?.payload?.ticketId);
      const ofTicket = byTicket.get(key);
      if (ofTicket) ofTicket.push(request);
      else byTicket.set(key, [request]);
    }
    const tickets = [...byTicket.values()];
    const failures: unknown[] = [];
    const sender = async () => {
      for (let ofTicket = tickets.shift(); ofTicket; ofTicket = tickets.shift()) {
        try {
          for (const { envelope, deliveryCount } of ofTicket) await this.deliver(envelope, deliveryCount);
        } catch (error) {
          failures.push(error);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(MAX_CONNECTIONS_PER_PROJECT, tickets.length) }, sender));
    if (failures.length > 0) throw failures[0];
  }

  /** Handles one mail.send.requested; throws only when a later delivery of the event may succeed. */
  async deliver(envelope: EventEnvelope<MailSendRequestedPayload>, deliveryCount: number): Promise<void> {
    const request = envelope?.payload;
    if (typeof request?.outboundMessageId !== 'string' || typeof request.ticketId !== 'string' || !envelope.projectId) {
      // Nothing to report back to: ticketing could not match a mail.failed without these ids.
      this.logger.error(`Dropped mail.send.requested ${String(envelope?.id)}: outboundMessageId, ticketId or projectId missing`);
      return;
    }
    await this.channels.whenReady();
    const claim = await this.claim(envelope);
    this.outbox.publishSoon();
    if (claim.kind === 'settled') {
      if (claim.failedCode) this.metrics.recordFailed(claim.failedCode);
      return;
    }
    if (claim.kind === 'in-flight') {
      throw new SendDeferredError(`Mail ${request.outboundMessageId} is being sent by another attempt right now; checking again later`);
    }
    await this.sendAndSettle(envelope, claim.channel, claim.attempt, deliveryCount);
  }

  /** Step (a): take the send, or settle what needs no SMTP. */
  private async claim(envelope: EventEnvelope<MailSendRequestedPayload>): Promise<Claim> {
    return (await this.claimFirstAttempt(envelope)) ?? this.claimOrSettle(envelope);
  }

  /**
   * The common case in one statement: a request seen for the first time, with a channel that can send, is taken at
   * once (the row written as `sending`, attempt 1), exactly what `claimOrSettle` would decide for a new row. Null
   * when the row exists already (a redelivery) or the channel cannot send: those need the row's history.
   */
  private async claimFirstAttempt(envelope: EventEnvelope<MailSendRequestedPayload>): Promise<Claim | null> {
    const usable = this.unusable(envelope, this.channels.get(envelope.projectId));
    if ('code' in usable) return null;
    const inserted = await this.dataSource
      .createQueryBuilder()
      .insert()
      .into(Delivery)
      .values({ ...deliveryKeysOf(envelope), status: 'sending', attempts: 1, claimedAt: new Date() })
      .orIgnore()
      .returning('outbound_message_id')
      .execute();
    return inserted.raw.length === 1 ? { kind: 'send', attempt: 1, channel: usable.channel } : null;
  }

  private claimOrSettle(envelope: EventEnvelope<MailSendRequestedPayload>): Promise<Claim> {
    const request = envelope.payload;
    return this.dataSource.transaction(async (manager): Promise<Claim> => {
      await manager
        .createQueryBuilder()
        .insert()
        .into(Delivery)
        .values({ ...deliveryKeysOf(envelope), status: 'queued', attempts: 0 })
        .orIgnore()
        .execute();
      const delivery = await manager.findOneOrFail(Delivery, {
        where: { outboundMessageId: request.outboundMessageId },
        lock: { mode: 'pessimistic_write' },
      });

      const decision = decideDelivery(delivery, new Date());
      switch (decision.action) {
        case 'republish-sent':
          this.logger.log(`Mail ${delivery.outboundMessageId} was sent before; reporting mail.sent again`);
          await this.announce(manager, mailSentEvent(delivery, delivery.sentAt ?? new Date(), delivery.smtpResponse ?? ''));
          return { kind: 'settled' };
        case 'republish-failed':
          this.logger.log(`Mail ${delivery.outboundMessageId} failed before; reporting mail.failed again`);
          await this.announce(
            manager,
            mailFailedEvent(delivery, { code: delivery.failureCode ?? 'unknown', reason: delivery.lastError ?? '', permanent: true }),
          );
          return { kind: 'settled' };
        case 'wait-for-other-attempt':
          return { kind: 'in-flight' };
        case 'give-up-uncertain':
          this.logger.warn(`Mail ${delivery.outboundMessageId} was being sent when an attempt ended unexpectedly; not sending it again`);
          await this.fail(manager, delivery, {
            code: 'delivery_uncertain',
            reason:
              'Sending was interrupted after the mail was handed to the SMTP server, so it may or may not have been delivered. ' +
              "It is not sent again automatically, to avoid a duplicate: check the mailbox's Sent folder or ask the customer before resending.",
            permanent: true,
          });
          return { kind: 'settled', failedCode: 'delivery_uncertain' };
        case 'send': {
          if (decision.interrupted) {
            this.logger.warn(`Mail ${delivery.outboundMessageId}: an attempt ended before the end of DATA, so the server kept nothing; sending it again`);
          }
          const problem = this.unusable(envelope, this.channels.get(envelope.projectId));
          if ('code' in problem) {
            this.logger.warn(`Mail ${delivery.outboundMessageId} cannot be sent: ${problem.reason}`);
            await this.fail(manager, delivery, problem);
            return { kind: 'settled', failedCode: problem.code };
          }
          delivery.status = 'sending';
          delivery.attempts += 1;
          delivery.claimedAt = new Date();
          await manager.update(
            Delivery,
            { outboundMessageId: delivery.outboundMessageId },
            { status: delivery.status, attempts: delivery.attempts, claimedAt: delivery.claimedAt, handedOverAt: null },
          );
          return { kind: 'send', attempt: delivery.attempts, channel: problem.channel };
        }
      }
    });
  }

  /** Steps (b) and (c). */
  private async sendAndSettle(
    envelope: EventEnvelope<MailSendRequestedPayload>,
    channel: SendingChannel,
    attempt: number,
    deliveryCount: number,
  ): Promise<void> {
    const request = envelope.payload;
    const keys = { outboundMessageId: request.outboundMessageId, projectId: envelope.projectId, ticketId: request.ticketId, messageId: request.messageId };

    let transport: ChannelTransport;
    try {
      transport = await this.transports.forChannel(channel);
    } catch (error) {
      // No access token yet is transient, like a refused connection: the same attempt limit applies.
      const failure = credentialFailure(error);
      if (!failure.permanent && isLastAttempt(attempt, deliveryCount)) {
        failure.permanent = true;
        failure.reason = `${failure.reason} Gave up after ${Math.max(attempt, deliveryCount)} attempts (at most ${MAX_SEND_ATTEMPTS}).`;
      }
      return this.settleFailure(keys, attempt, failure);
    }

    const stopTimer = this.metrics.startSend();
    let info: SMTPPool.SentMessageInfo;
    try {
      const mail = composeReplyMail(envelope.projectId, request, channel.identity);
      info = await transport.transporter.sendMail(withEndOfDataGate(mail, () => this.recordHandOver(keys.outboundMessageId, attempt)));
    } catch (error) {
      if (error instanceof HandOverRefusedError) {
        stopTimer('transient_failure');
        this.logger.warn(error.message);
        return;
      }
      const failure = classifySendError(error, channel.smtp);
      failure.reason = withoutSecret(failure.reason, transport.password);
      stopTimer(failure.permanent ? 'permanent_failure' : 'transient_failure');
      if (!failure.permanent && isLastAttempt(attempt, deliveryCount)) {
        failure.permanent = true;
        failure.reason = `${failure.reason} Gave up after ${Math.max(attempt, deliveryCount)} attempts (at most ${MAX_SEND_ATTEMPTS}).`;
      }
      return this.settleFailure(keys, attempt, failure);
    }
    stopTimer('sent');

    const sentAt = new Date();
    const smtpResponse = withoutSecret(String(info.response ?? ''), transport.password).slice(0, 1_000);
    await this.dataSource.transaction(async (manager) => {
      await manager.update(
        Delivery,
        { outboundMessageId: keys.outboundMessageId },
        { status: 'sent', smtpResponse, sentAt, lastError: null, failureCode: null },
      );
      // The first report of this outcome: a mail is sent (and settled `sent`) once, so no earlier row has its id.
      await this.outbox.add(manager, mailSentEvent(keys, sentAt, smtpResponse));
    });
    this.outbox.publishSoon();
    this.metrics.recordSent();
    this.logger.log(`Sent mail ${keys.outboundMessageId} ${keys.messageId} (attempt ${attempt}): ${smtpResponse}`);
  }

  /**
   * Recorded before the dot that ends DATA, so a crash before it is known to have delivered nothing. Only while this
   * attempt still holds the send: if another took it over meanwhile (this one outlived its lease), this one stops
   * short of the dot, so the two can never both deliver.
   */
  private async recordHandOver(outboundMessageId: string, attempt: number): Promise<void> {
    const result = await this.dataSource
      .createQueryBuilder()
      .update(Delivery)
      .set({ handedOverAt: () => 'now()' })
      .where({ outboundMessageId, status: 'sending', attempts: attempt })
      .execute();
    if (result.affected !== 1) throw new HandOverRefusedError(`Mail ${outboundMessageId}: attempt ${attempt} no longer holds the send; stopped before the end of DATA`);
  }

  /** A permanent failure ends the delivery; a transient one records it and throws for a redelivery. */
  private async settleFailure(keys: DeliveryKeys, attempt: number, failure: DeliveryFailure): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      if (failure.permanent) {
        await this.fail(manager, keys, failure);
        return;
      }
      await manager.update(
        Delivery,
        { outboundMessageId: keys.outboundMessageId },
        { status: 'retrying', lastError: failure.reason, failureCode: failure.code },
      );
      await this.announce(manager, mailFailedEvent(keys, failure, attempt));
    });
    this.outbox.publishSoon();
    if (failure.permanent) {
      this.metrics.recordFailed(failure.code);
      this.logger.warn(`Mail ${keys.outboundMessageId} failed for good (${failure.code}): ${failure.reason}`);
      return;
    }
    this.metrics.recordRetry(failure.code);
    throw new SendDeferredError(`Mail ${keys.outboundMessageId} attempt ${attempt} failed (${failure.code}): ${failure.reason}`);
  }

  private async fail(manager: EntityManager, keys: DeliveryKeys, failure: DeliveryFailure): Promise<void> {
    await manager.update(
      Delivery,
      { outboundMessageId: keys.outboundMessageId },
      { status: 'failed', lastError: failure.reason, failureCode: failure.code },
    );
    await this.announce(manager, mailFailedEvent(keys, { ...failure, permanent: true }));
  }

  /**
   * Puts the event in the outbox, again when the outcome was reported before: JetStream drops the repeat inside its
   * duplicate window; later, consumers' inboxes do, as the id is the same.
   */
  private announce(manager: EntityManager, envelope: EventEnvelope): Promise<void> {
    return this.outbox.addOrRepublish(manager, envelope);
  }

  /** Why this request cannot be sent with the project's current channel, or the channel to send it with. */
  private unusable(
    envelope: EventEnvelope<MailSendRequestedPayload>,
    settings: ChannelSettingsSnapshot | undefined,
  ): DeliveryFailure | { channel: SendingChannel } {
    const invalid = requestProblem(envelope.payload);
    if (invalid) return { code: 'invalid_request', reason: `The send request cannot be turned into a mail: ${invalid}.`, permanent: true };
    if (!settings) return { code: 'channel_not_configured', reason: 'The project has no email channel configured.', permanent: true };
    if (!settings.enabled) return { code: 'channel_disabled', reason: 'The email channel of the project is disabled.', permanent: true };
    if (!settings.smtp) return { code: 'smtp_not_configured', reason: 'The email channel has no SMTP settings.', permanent: true };
    if (!settings.identity) return { code: 'identity_not_configured', reason: 'The email channel has no sender identity (From address).', permanent: true };
    return { channel: settings as SendingChannel };
  }
}
