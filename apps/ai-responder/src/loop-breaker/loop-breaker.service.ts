import { Injectable, Logger } from '@nestjs/common';
import { createEnvelope, ReplyHandoff, type ChannelSafety, type HandoffAcknowledgement } from '@ensoras/contracts';
import { canonicalAddress } from '@ensoras/mail';
import { Outbox } from '@ensoras/messaging';
import type { EntityManager } from 'typeorm';
import { quotedTable } from '@ensoras/persistence';
import { cancelOpenResponses } from '../responses/open-responses.js';
import { AiReply } from './ai-reply.entity.js';
import { HandedOffTicket } from './handed-off-ticket.entity.js';
import { handoffEventId } from './handoff-event-id.js';
import { loopLimitReached, type RecentReplies } from './loop-limits.js';
import { PROJECT_CAP_WINDOW_MINUTES, projectCapReached } from './project-cap.js';

export interface LoopCheck {
  projectId: string;
  ticketId: string;
  /** Whom the reply would go to; '' when unknown (then only the per-ticket limit applies). */
  customerAddress: string;
  safety: Required<ChannelSafety>;
  /**
   * Count one proposal at a time per project (an advisory lock until the transaction ends). Only the check right
   * before proposing needs it; the one before scheduling is a first look, and must not take the lock while it goes on
   * to lock the ticket's pending response, which a proposing transaction holds while it waits for this lock.
   */
  serialize: boolean;
}

export type LoopVerdict = { answer: true } | { answer: false; reason: string };

/** Said of a ticket a human holds, handed off by us or by anyone else. */
export const HANDED_OFF_REASON = 'the ticket was handed off to a human';

/**
 * The loop breaker beyond headers: a mail partner that answers every reply (a misbehaving auto-responder without
 * any auto headers, or two robots) is stopped by counting our own replies per ticket and per customer address in
 * the channel's window. At a limit the ticket goes to a human (reply.handoff, once) and the AI does not answer it
 * until an agent gives it back (`release`). Every method runs inside the caller's transaction.
 */
@Injectable()
export class LoopBreaker {
  private readonly logger = new Logger(LoopBreaker.name);

  constructor(private readonly outbox: Outbox) {}

  /** Whether the AI may answer the ticket now; reaching a limit hands the ticket off on the spot. */
  async check(manager: EntityManager, request: LoopCheck): Promise<LoopVerdict> {
    const { projectId, ticketId, safety } = request;
    const address = canonicalAddress(request.customerAddress);
    if (request.serialize) {
      // Replies to one address on several tickets, or to the project, may be proposed by several replicas at once:
      // one at a time per project counts both exactly. Held until the transaction ends, which records the reply;
      // proposing is a short transaction (generation runs before it). (Spaces: text may not hold NUL.)
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`ai-reply ${projectId}`]);
    }
    const standing = await this.standing(manager, projectId, ticketId, address, safety.loopWindowMinutes);
    if (standing.handedOff) return { answer: false, reason: HANDED_OFF_REASON };
    const reason = loopLimitReached(standing.recent, safety, address) ?? projectCapReached(standing.lastHour, safety.maxAiRepliesPerHour);
    if (reason === null) return { answer: true };
    await this.handOff(manager, projectId, ticketId, reason, { announce: true });
    return { answer: false, reason };
  }

  /** Counts a proposed reply; once per response, however often its proposal is written. */
  async recordReply(manager: EntityManager, reply: { responseId: string; projectId: string; ticketId: string; customerAddress: string }): Promise<void> {
    await manager
      .createQueryBuilder()
      .insert()
      .into(AiReply)
      .values({ ...reply, customerAddress: canonicalAddress(reply.customerAddress) })
      .orIgnore()
      .execute();
  }

  /**
   * Marks the ticket as a human's: open responses are cancelled, and with `announce` reply.handoff is published
   * (through the outbox) the first time only (again after the ticket was released). True when the ticket was not
   * handed off before.
   */
  async handOff(
    manager: EntityManager,
    projectId: string,
    ticketId: string,
    reason: string,
    options: { announce: boolean; acknowledgement?: HandoffAcknowledgement },
  ): Promise<boolean> {
    const inserted = await manager
      .createQueryBuilder()
      .insert()
      .into(HandedOffTicket)
      .values({ projectId, ticketId, reason: reason.slice(0, 1_000) })
      .orIgnore()
      .returning(['ticketId', 'createdAt'])
      .execute();
    const rows = inserted.raw as Array<{ created_at?: Date | string }>;
    if (rows.length === 0) return false;
    await cancelOpenResponses(manager, projectId, ticketId, `handed off: ${reason}`);
    if (options.announce) {
      // A handoff after a release is a new one: its own id, or JetStream would drop it as a repeat of the first.
      const handedOffAt = rows[0]!.created_at === undefined ? undefined : new Date(rows[0]!.created_at).toISOString();
      const payload = { ticketId, reason, ...(options.acknowledgement ? { acknowledgement: options.acknowledgement } : {}) };
      await this.outbox.add(manager, createEnvelope(ReplyHandoff, projectId, payload, handoffEventId(projectId, ticketId, handedOffAt)));
    }
    this.logger.warn(`Ticket ${ticketId} in ${projectId} handed off to a human; the AI stops answering it: ${reason}`);
    return true;
  }

  /**
   * Forgets that the ticket was handed off, and the AI's replies to it so far for its loop limits: ticketing says it
   * left needs_human (an agent gave it back to the AI) or was closed. The agent has seen the conversation; had the
   * old replies counted on, the limit that handed it over would hand it over again at the next mail. True when there
   * was a handoff to forget.
   */
  async release(manager: EntityManager, projectId: string, ticketId: string): Promise<boolean> {
    await manager.update(AiReply, { projectId, ticketId, counted: true }, { counted: false });
    const deleted = await manager.delete(HandedOffTicket, { projectId, ticketId });
    if ((deleted.affected ?? 0) === 0) return false;
    this.logger.log(`Ticket ${ticketId} in ${projectId} is no longer a human's; the AI may answer it again`);
    return true;
  }

  /**
   * Whether the ticket is a human's, and the replies the limits count, in one statement: it runs before every
   * scheduling and every proposal, so on a reply storm it is a round trip per mail, not five.
   */
  private async standing(
    manager: EntityManager,
    projectId: string,
    ticketId: string,
    address: string,
    loopWindowMinutes: number,
  ): Promise<{ handedOff: boolean; recent: RecentReplies; lastHour: number }> {
    const replies = quotedTable(manager.connection, AiReply);
    // The database's clock, as for proposed_at. Counts come back as text (bigint).
    const [row] = await manager.query<Array<{ handed_off: boolean; ticket: string; address: string; last_hour: string }>>(
      `SELECT EXISTS (SELECT 1 FROM ${quotedTable(manager.connection, HandedOffTicket)} WHERE project_id = $1 AND ticket_id = $2) AS handed_off,
              count(*) FILTER (WHERE counted AND proposed_at > now() - make_interval(mins => $4) AND ticket_id = $2) AS ticket,
              count(*) FILTER (WHERE counted AND proposed_at > now() - make_interval(mins => $4) AND customer_address = $3) AS address,
              count(*) FILTER (WHERE proposed_at > now() - make_interval(mins => $5)) AS last_hour
         FROM ${replies}
        WHERE project_id = $1 AND proposed_at > now() - make_interval(mins => GREATEST($4, $5))`,
      [projectId, ticketId, address, loopWindowMinutes, PROJECT_CAP_WINDOW_MINUTES],
    );
    return {
      handedOff: row?.handed_off === true,
      recent: { ticket: Number(row?.ticket ?? 0), address: address === '' ? null : Number(row?.address ?? 0) },
      lastHour: Number(row?.last_hour ?? 0),
    };
  }
}
