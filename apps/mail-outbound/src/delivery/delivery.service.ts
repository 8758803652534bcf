import { Injectable, Logger } from '@nestjs/common';
import type { ChannelSettingsSnapshot, EventEnvelope, MailSendRequestedPayload } from '@ensoras/contracts';
import { authenticationFailureReason, withoutSecret } from '@ensoras/mail';
import { ChannelSettingsReplica, logContext, Outbox } from '@ensoras/messaging';
import { quotedTable } from '@ensoras/persistence';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import { DataSource, type EntityManager } from 'typeorm';
import { DeliveryMetrics } from '../metrics/delivery-metrics.js';
import { decideDelivery, isLastAttempt, isLastParkedAttempt, MAX_SEND_ATTEMPTS, parkedRetryDelayMs, type DeliveryDecision } from './delivery-decision.js';
import { Delivery } from './delivery.entity.js';
import { withEndOfDataGate } from './end-of-data-gate.js';
import { mailFailedEvent, mailHeldEvent, mailSentEvent, type DeliveryKeys } from './delivery-events.js';
import { SentSettlements } from './sent-settlements.js';
import { composeRawMessage, composeReplyMail, requestProblem } from './reply-mail.js';
import { classifySendError, type DeliveryFailure } from './send-failure.js';
import { SmtpLoginState } from './smtp-login-state.entity.js';
import { loginCountToResetWhere, SmtpLogins, smtpPausedWhere } from './smtp-logins.js';
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
  /** Parked here (`held`), now or before: ParkedReplies sends it when it may. */
  | { kind: 'parked' }
  | SendClaim;

/**
 * The send is this attempt's. `loginsToReset`: the project had rejected logins counted when it was taken (or that was
 * not looked at), so the send, once accepted, starts the count over; otherwise its settle leaves the count alone.
 */
interface SendClaim {
  kind: 'send';
  attempt: number;
  channel: SendingChannel;
  authFailures: number;
  loginsToReset: boolean;
}

/**
 * Who is trying the send: a JetStream delivery of the request (a throw has it redelivered with back-off), or
 * ParkedReplies for a parked mail (acknowledged in JetStream long ago: a failed try parks it again).
 */
type Attempt = { via: 'request'; deliveryCount: number } | { via: 'parked'; authFailures: number };

/** What parking a mail writes besides the request: why, and when it may be tried again (null: once SMTP may log in). */
interface Parking {
  code: string;
  reason: string;
  retryAt: Date | null;
}

/**
 * A mail whose SMTP transaction is over (or that needed none): `settled` resolves once its outcome has committed. Only
 * a sent mail's settle is still running then (see SentSettlements); every other outcome is committed already.
 */
interface Attempted {
  settled: Promise<void>;
}

const SETTLED: Attempted = { settled: Promise.resolve() };

/**
 * Sends each requested mail at most once, through the project's SMTP server:
 * (a) a short transaction records the send as taken (`sending`, attempts + 1), or finds it settled before and only
 *     repeats the outcome; (b) the SMTP transaction runs with no database connection held; (c) a second transaction
 *     settles it (`sent`, `retrying` or `failed`) together with the mail.sent / mail.failed event in the outbox.
 * A row still `sending` when its request comes back means an attempt died between (a) and (c): the server may
 * have the mail already, so it is never sent again (see decideDelivery).
 *
 * A login the server rejects does not fail the mail: it is parked (`held`, with its request, acknowledged in
 * JetStream) and counted for the project (SmtpLogins); at AUTH_FAILURES_BEFORE_PAUSE rejections in a row the project's
 * SMTP pauses (channel.email.paused) and every mail of it is parked without a login until the settings get a new
 * revision. A ticket's later replies are parked behind a parked one. ParkedReplies sends parked mail through
 * `sendParked`, with the same claim, end-of-DATA gate and settling as a request, so a parked mail is sent once too.
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
    private readonly sentSettlements: SentSettlements,
    private readonly logins: SmtpLogins,
  ) {}

  /**
   * Handles consecutive mail.send.requested of one project: the replies of different tickets side by side, as many
   * at a time as the project's pool has connections, those of one ticket one after another, in order. A send is
   * claimed only when a connection is there for it, so no claim waits in the pool's queue: a claim that outlived its
   * lease while waiting could be sent by another attempt too. Throws the first failure once all are settled; the
   * transport then handles the batch's events again one by one, and each delivery row makes that harmless (a mail
   * sent meanwhile is only reported again, never sent again). A connection takes its next send while the settle of
   * the one before commits (in a group with others, see SentSettlements), except for the next reply of the same ticket;
   * it returns only once every settle has committed, so the requests are acknowledged after their outcomes are stored.
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
    const settling: Array<Promise<void>> = [];
    const sender = async () => {
      for (let ofTicket = tickets.shift(); ofTicket; ofTicket = tickets.shift()) {
        try {
          let { settled } = SETTLED;
          for (const { envelope, deliveryCount } of ofTicket) {
            // A ticket's replies keep their order: the next one goes only once this one is settled.
            await settled;
            // Each mail's lines carry its ids: the event, the ticket, and the ticket's message it sends.
            const fields = { eventId: envelope?.id, ticketId: envelope?.payload?.ticketId, messageId: envelope?.payload?.outboundMessageId };
            ({ settled } = await logContext.run(fields, () => this.attempt(envelope, deliveryCount)));
          }
          settling.push(settled.catch((error: unknown) => void failures.push(error)));
        } catch (error) {
          failures.push(error);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(MAX_CONNECTIONS_PER_PROJECT, tickets.length) }, sender));
    await Promise.all(settling);
    if (failures.length > 0) throw failures[0];
  }

  /** Handles one mail.send.requested; throws only when a later delivery of the event may succeed. */
  async deliver(envelope: EventEnvelope<MailSendRequestedPayload>, deliveryCount: number): Promise<void> {
    await (await this.attempt(envelope, deliveryCount)).settled;
  }

  /** deliver() up to the end of the SMTP transaction; its settle may still be committing then. */
  private async attempt(envelope: EventEnvelope<MailSendRequestedPayload>, deliveryCount: number): Promise<Attempted> {
    const request = envelope?.payload;
    if (typeof request?.outboundMessageId !== 'string' || typeof request.ticketId !== 'string' || !envelope.projectId) {
      // Nothing to report back to: ticketing could not match a mail.failed without these ids.
      this.logger.error(`Dropped mail.send.requested ${String(envelope?.id)}: outboundMessageId, ticketId or projectId missing`);
      return SETTLED;
    }
    await this.channels.whenReady();
    const claim = await this.claim(envelope);
    if (claim.kind === 'settled') {
      if (claim.failedCode) this.metrics.recordFailed(claim.failedCode);
      return SETTLED;
    }
    if (claim.kind === 'in-flight') {
      throw new SendDeferredError(`Mail ${request.outboundMessageId} is being sent by another attempt right now; checking again later`);
    }
    if (claim.kind === 'parked') return SETTLED;
    return this.sendAndSettle(envelope, claim, { via: 'request', deliveryCount });
  }

  /**
   * Tries one parked mail, for ParkedReplies: sends it when it is due and the project's SMTP is not paused (the same
   * claim as a request's, so only one replica sends it). 'progress' when it is settled or was tried now, 'waiting'
   * when it must wait (paused, its back-off, or another attempt has it).
   */
  async sendParked(outboundMessageId: string): Promise<'progress' | 'waiting'> {
    await this.channels.whenReady();
    const claim = await this.outbox.transaction(async (manager): Promise<Claim & { envelope?: EventEnvelope<MailSendRequestedPayload> }> => {
      const delivery = await manager.findOne(Delivery, { where: { outboundMessageId }, lock: { mode: 'pessimistic_write' } });
      if (!delivery?.request) return { kind: 'settled' };
      const envelope = delivery.request;
      const usable = this.unusable(envelope, this.channels.get(delivery.projectId));
      const smtpPaused = 'channel' in usable && (await this.logins.isPaused(manager, delivery.projectId, usable.channel.revision));
      const decision = decideDelivery(delivery, new Date(), { via: 'parked', smtpPaused, ticketParked: false });
      const claimed = await this.act(manager, delivery, envelope, decision, usable);
      return { ...claimed, envelope };
    });
    if (claim.kind === 'settled' && claim.failedCode) this.metrics.recordFailed(claim.failedCode);
    if (claim.kind === 'send') {
      await (await this.sendAndSettle(claim.envelope!, claim, { via: 'parked', authFailures: claim.authFailures })).settled;
      return 'progress';
    }
    return claim.kind === 'settled' ? 'progress' : 'waiting';
  }

  /** Step (a): take the send, or settle what needs no SMTP. */
  private async claim(envelope: EventEnvelope<MailSendRequestedPayload>): Promise<Claim> {
    return (await this.claimFirstAttempt(envelope)) ?? this.claimOrSettle(envelope);
  }

  /**
   * The common case in one statement: a request seen for the first time, with a channel that can send, whose SMTP is
   * not paused and whose ticket has no parked reply, is taken at once (the row written as `sending`, attempt 1),
   * exactly what `claimOrSettle` would decide for a new row. Null when the row exists already (a redelivery), the
   * channel cannot send, or the mail must be parked: those need the row's history or the project's.
   */
  private async claimFirstAttempt(envelope: EventEnvelope<MailSendRequestedPayload>): Promise<Claim | null> {
    const usable = this.unusable(envelope, this.channels.get(envelope.projectId));
    if ('code' in usable) return null;
    const keys = deliveryKeysOf(envelope);
    const deliveries = quotedTable(this.dataSource, Delivery);
    // INSERT answers its RETURNING rows. They say too whether SmtpLogins.recordAccepted would find a count to reset.
    const loginStates = quotedTable(this.dataSource, SmtpLoginState);
    const inserted = await this.dataSource.query<Array<{ logins_to_reset: boolean }>>(
      `INSERT INTO ${deliveries} (outbound_message_id, project_id, ticket_id, message_id, status, attempts, claimed_at)
       SELECT $1, $2, $3, $4, 'sending', 1, $5
        WHERE NOT EXISTS (SELECT 1 FROM ${loginStates} WHERE ${smtpPausedWhere('$2', '$6')})
          AND NOT EXISTS (SELECT 1 FROM ${deliveries} WHERE project_id = $2 AND ticket_id = $3 AND request IS NOT NULL)
       ON CONFLICT (outbound_message_id) DO NOTHING
       RETURNING outbound_message_id,
                 EXISTS (SELECT 1 FROM ${loginStates} WHERE ${loginCountToResetWhere('$2', '$6')}) AS logins_to_reset`,
      [keys.outboundMessageId, keys.projectId, keys.ticketId, keys.messageId, new Date(), usable.channel.revision],
    );
    const [taken] = inserted;
    return taken ? { kind: 'send', attempt: 1, channel: usable.channel, authFailures: 0, loginsToReset: taken.logins_to_reset } : null;
  }

  private claimOrSettle(envelope: EventEnvelope<MailSendRequestedPayload>): Promise<Claim> {
    const request = envelope.payload;
    return this.outbox.transaction(async (manager): Promise<Claim> => {
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

      const usable = this.unusable(envelope, this.channels.get(envelope.projectId));
      const smtpPaused = 'channel' in usable && (await this.logins.isPaused(manager, envelope.projectId, usable.channel.revision));
      const ticketParked = await this.ticketParked(manager, delivery);
      return this.act(manager, delivery, envelope, decideDelivery(delivery, new Date(), { via: 'request', smtpPaused, ticketParked }), usable);
    });
  }

  /** Carries out a decision on the locked row, inside its transaction: settles, parks, or takes the send. */
  private async act(
    manager: EntityManager,
    delivery: Delivery,
    envelope: EventEnvelope<MailSendRequestedPayload>,
    decision: DeliveryDecision,
    usable: DeliveryFailure | { channel: SendingChannel },
  ): Promise<Claim> {
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
      case 'leave-parked':
        return { kind: 'parked' };
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
      case 'hold':
      case 'send': {
        if ('code' in usable) {
          this.logger.warn(`Mail ${delivery.outboundMessageId} cannot be sent: ${usable.reason}`);
          await this.fail(manager, delivery, usable);
          return { kind: 'settled', failedCode: usable.code };
        }
        if (decision.action === 'hold') {
          await this.park(manager, delivery, envelope, delivery.attempts, await this.holdReason(manager, delivery));
          return { kind: 'parked' };
        }
        if (decision.interrupted) {
          this.logger.warn(`Mail ${delivery.outboundMessageId}: an attempt ended before the end of DATA, so the server kept nothing; sending it again`);
        }
        delivery.status = 'sending';
        delivery.attempts += 1;
        delivery.claimedAt = new Date();
        await manager.update(
          Delivery,
          { outboundMessageId: delivery.outboundMessageId },
          { status: delivery.status, attempts: delivery.attempts, claimedAt: delivery.claimedAt, handedOverAt: null },
        );
        return { kind: 'send', attempt: delivery.attempts, channel: usable.channel, authFailures: delivery.authFailures, loginsToReset: true };
      }
    }
  }

  /** Whether a reply of the same ticket is parked (held, or being sent from the parked queue): this one queues among them. */
  private async ticketParked(manager: EntityManager, delivery: Delivery): Promise<boolean> {
    const rows = await manager.query<unknown[]>(
      `SELECT 1 FROM ${quotedTable(this.dataSource, Delivery)} WHERE project_id = $1 AND ticket_id = $2 AND request IS NOT NULL AND outbound_message_id <> $3 LIMIT 1`,
      [delivery.projectId, delivery.ticketId, delivery.outboundMessageId],
    );
    return rows.length > 0;
  }

  /** Why a mail is parked without a try: the project's pause, or its ticket's earlier reply. */
  private async holdReason(manager: EntityManager, delivery: Delivery): Promise<Parking> {
    const login = await manager.findOneBy(SmtpLoginState, { projectId: delivery.projectId });
    if (login?.pausedAt) return { code: 'smtp_paused', reason: pausedNote(login.reason ?? 'the SMTP server rejected the login.'), retryAt: null };
    return { code: 'held', reason: 'Waiting for an earlier reply of this ticket, which is held, to be sent first.', retryAt: null };
  }

  /** Steps (b) and (c): a failure is settled before this returns, a sent mail's settle is handed to SentSettlements. */
  private async sendAndSettle(envelope: EventEnvelope<MailSendRequestedPayload>, claim: SendClaim, how: Attempt): Promise<Attempted> {
    const { channel, attempt } = claim;
    const request = envelope.payload;
    const keys = { outboundMessageId: request.outboundMessageId, projectId: envelope.projectId, ticketId: request.ticketId, messageId: request.messageId };

    let transport: ChannelTransport;
    try {
      transport = await this.transports.forChannel(channel);
    } catch (error) {
      // Credentials refused before any server is asked (a revoked grant) count like a rejected login.
      const rejection = authenticationFailureReason(error, 'smtp', channel.smtp);
      if (rejection !== null) {
        await this.settleRejectedLogin(envelope, channel.revision, attempt, rejection);
        return SETTLED;
      }
      // No access token yet is transient, like a refused connection: the same attempt limit applies.
      await this.settleFailure(keys, attempt, withAttemptLimit(credentialFailure(error), attempt, how), how, envelope);
      return SETTLED;
    }

    const stopTimer = this.metrics.startSend();
    let info: SMTPPool.SentMessageInfo;
    let raw: Buffer;
    try {
      const composed = await composeRawMessage(composeReplyMail(envelope.projectId, request, channel.identity));
      raw = composed.raw;
      info = await transport.transporter.sendMail(withEndOfDataGate(composed.send, () => this.recordHandOver(keys.outboundMessageId, attempt)));
    } catch (error) {
      if (error instanceof HandOverRefusedError) {
        stopTimer('transient_failure');
        this.logger.warn(error.message);
        return SETTLED;
      }
      const rejection = authenticationFailureReason(error, 'smtp', channel.smtp);
      if (rejection !== null) {
        stopTimer('transient_failure');
        await this.settleRejectedLogin(envelope, channel.revision, attempt, withoutSecret(rejection, transport.password));
        return SETTLED;
      }
      const failure = classifySendError(error, channel.smtp);
      failure.reason = withoutSecret(failure.reason, transport.password);
      stopTimer(failure.permanent ? 'permanent_failure' : 'transient_failure');
      await this.settleFailure(keys, attempt, withAttemptLimit(failure, attempt, how), how, envelope);
      return SETTLED;
    }
    stopTimer('sent');

    const sentAt = new Date();
    const smtpResponse = withoutSecret(String(info.response ?? ''), transport.password).slice(0, 1_000);
    const settled = this.sentSettlements.settle({ keys, channel, sentAt, smtpResponse, raw, loginsToReset: claim.loginsToReset }).then(() => {
      this.metrics.recordSent();
      this.logger.log(`Sent mail ${keys.outboundMessageId} ${keys.messageId} (attempt ${attempt}): ${smtpResponse}`);
    });
    return { settled };
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

  /**
   * A permanent failure ends the delivery; a transient one records it and throws for a redelivery (a request), or
   * parks the mail again with a back-off (a parked mail, which no redelivery brings back).
   */
  private async settleFailure(
    keys: DeliveryKeys,
    attempt: number,
    failure: DeliveryFailure,
    how: Attempt,
    envelope: EventEnvelope<MailSendRequestedPayload>,
  ): Promise<void> {
    await this.outbox.transaction(async (manager) => {
      if (failure.permanent) {
        await this.fail(manager, keys, failure);
        return;
      }
      if (how.via === 'parked') {
        const retryAt = new Date(Date.now() + parkedRetryDelayMs(attempt - how.authFailures));
        await manager.update(
          Delivery,
          { outboundMessageId: keys.outboundMessageId },
          { status: 'held', request: envelope, retryAt, lastError: failure.reason, failureCode: failure.code },
        );
      } else {
        await manager.update(
          Delivery,
          { outboundMessageId: keys.outboundMessageId },
          { status: 'retrying', lastError: failure.reason, failureCode: failure.code },
        );
      }
      await this.announce(manager, mailFailedEvent(keys, failure, attempt));
    });
    if (failure.permanent) {
      this.metrics.recordFailed(failure.code);
      this.logger.warn(`Mail ${keys.outboundMessageId} failed for good (${failure.code}): ${failure.reason}`);
      return;
    }
    this.metrics.recordRetry(failure.code);
    const message = `Mail ${keys.outboundMessageId} attempt ${attempt} failed (${failure.code}): ${failure.reason}`;
    if (how.via === 'parked') {
      this.logger.warn(`${message}; tried again later`);
      return;
    }
    throw new SendDeferredError(message);
  }

  /**
   * The server (or the credential resolver) rejected the login: counted for the project, and the mail parked, never
   * failed. Below the limit it is tried again after a back-off; at the limit the project's SMTP pauses and the mail
   * waits for a new revision of the settings with the rest. Only while this attempt still holds the send.
   */
  private async settleRejectedLogin(envelope: EventEnvelope<MailSendRequestedPayload>, revision: number, attempt: number, reason: string): Promise<void> {
    const keys = deliveryKeysOf(envelope);
    const decision = await this.outbox.transaction(async (manager) => {
      const delivery = await manager.findOne(Delivery, { where: { outboundMessageId: keys.outboundMessageId }, lock: { mode: 'pessimistic_write' } });
      if (!delivery || delivery.status !== 'sending' || delivery.attempts !== attempt) return null;
      const counted = await this.logins.recordRejected(manager, keys.projectId, revision, reason);
      const paused = counted.action === 'pause' || counted.action === 'paused-already';
      delivery.authFailures += 1;
      await this.park(manager, delivery, envelope, attempt, {
        code: paused ? 'smtp_paused' : 'auth_failed',
        reason: paused ? pausedNote(reason) : `${reason} Tried again shortly.`,
        retryAt: paused ? null : new Date(Date.now() + parkedRetryDelayMs(delivery.authFailures)),
      });
      return counted;
    });
    this.metrics.recordRetry('auth_failed');
    if (decision?.action === 'pause') {
      this.logger.warn(`SMTP of project ${keys.projectId} paused at revision ${revision} after ${decision.record.failures} rejected logins: ${reason}`);
    }
    this.logger.warn(`Mail ${keys.outboundMessageId} held: the SMTP login was rejected (attempt ${attempt})`);
  }

  /** Parks the mail here with its request (acknowledged in JetStream), and tells ticketing it is held, not failed. */
  private async park(manager: EntityManager, delivery: Delivery, envelope: EventEnvelope<MailSendRequestedPayload>, attempt: number, parking: Parking): Promise<void> {
    await manager.update(
      Delivery,
      { outboundMessageId: delivery.outboundMessageId },
      {
        status: 'held',
        request: envelope,
        retryAt: parking.retryAt,
        authFailures: delivery.authFailures,
        lastError: parking.reason,
        failureCode: parking.code,
      },
    );
    await this.announce(manager, mailHeldEvent(delivery, parking, attempt));
  }

  private async fail(manager: EntityManager, keys: DeliveryKeys, failure: DeliveryFailure): Promise<void> {
    await manager.update(
      Delivery,
      { outboundMessageId: keys.outboundMessageId },
      { status: 'failed', lastError: failure.reason, failureCode: failure.code, request: null, retryAt: null },
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

/** The note of a mail held while the project's SMTP is paused. */
function pausedNote(reason: string): string {
  return `Held, not sent: sending is paused after repeated rejected SMTP logins (${reason.trim()}) It is sent once the channel's settings change: fix the password, or resume the channel.`;
}

/** A transient failure on the attempt's last try becomes permanent, saying how many attempts were made. */
function withAttemptLimit(failure: DeliveryFailure, attempt: number, how: Attempt): DeliveryFailure {
  const lastAttempt = how.via === 'request' ? isLastAttempt(attempt, how.deliveryCount) : isLastParkedAttempt(attempt, how.authFailures);
  if (failure.permanent || !lastAttempt) return failure;
  const attempts = how.via === 'request' ? Math.max(attempt, how.deliveryCount) : attempt - how.authFailures;
  return { ...failure, permanent: true, reason: `${failure.reason} Gave up after ${attempts} attempts (at most ${MAX_SEND_ATTEMPTS}).` };
}
