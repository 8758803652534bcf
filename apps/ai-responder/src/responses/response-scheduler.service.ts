import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { ResponseDelay } from '@ensoras/contracts';
import type { EntityManager } from 'typeorm';
import { quotedTable } from '@ensoras/persistence';
import { OPEN_STATUSES, PendingResponse } from './pending-response.entity.js';
import { pickResponseDelaySeconds } from './response-delay.js';

export interface ScheduleRequest {
  projectId: string;
  ticketId: string;
  messageIds: string[];
  delay: ResponseDelay;
  /** Whom the reply goes to (the ticket's customer), for the loop breaker. */
  customerAddress: string;
}

export type ScheduleOutcome =
  | { responseId: string; action: 'scheduled'; delaySeconds: number }
  | { responseId: string; action: 'joined' };

/** How often to re-look when a replica inserted the ticket's open response between our look and our insert. */
const CONFLICT_ROUNDS = 3;

/**
 * Puts customer messages on a ticket's open response, or opens one due after the channel's delay. Runs inside the
 * caller's transaction, so the response exists exactly when the message is recorded.
 */
@Injectable()
export class ResponseScheduler {
  async schedule(manager: EntityManager, request: ScheduleRequest): Promise<ScheduleOutcome> {
    for (let round = 0; round < CONFLICT_ROUNDS; round++) {
      const open = await manager
        .createQueryBuilder(PendingResponse, 'r')
        .where('r.project_id = :projectId AND r.ticket_id = :ticketId', request)
        .andWhere('r.status IN (:...open)', { open: OPEN_STATUSES })
        .setLock('pessimistic_write')
        .getOne();
      if (open) {
        // One reply answers them all and keeps the first message's due time. A response already generating
        // gets the message too: when it finishes, the message it did not see is scheduled on its own.
        const answers = [...open.answersMessageIds, ...request.messageIds.filter((id) => !open.answersMessageIds.includes(id))];
        await manager.update(PendingResponse, { id: open.id }, { answersMessageIds: answers });
        return { responseId: open.id, action: 'joined' };
      }
      const responseId = randomUUID();
      const delaySeconds = pickResponseDelaySeconds(request.delay);
      if (await this.insertUnlessOpen(manager, { ...request, responseId, delaySeconds })) {
        return { responseId, action: 'scheduled', delaySeconds };
      }
    }
    throw new Error(`Could not schedule a response for ticket ${request.ticketId}: it kept changing concurrently`);
  }

  /**
   * Inserts a scheduled response unless the ticket has an open one. A concurrent insert of another replica makes
   * this wait for that transaction and then do nothing, so the caller looks again instead of failing.
   */
  async insertUnlessOpen(
    manager: EntityManager,
    row: { responseId: string; projectId: string; ticketId: string; messageIds: string[]; delaySeconds: number; customerAddress: string },
  ): Promise<boolean> {
    const inserted: unknown[] = await manager.query(
      `INSERT INTO ${quotedTable(manager.connection, PendingResponse)}
         ("id", "project_id", "ticket_id", "answers_message_ids", "due_at", "status", "attempts", "customer_address")
       VALUES ($1, $2, $3, $4::jsonb, now() + make_interval(secs => $5), 'scheduled', 0, $6)
       ON CONFLICT ("project_id", "ticket_id") WHERE "status" IN ('scheduled', 'generating') DO NOTHING
       RETURNING "id"`,
      [row.responseId, row.projectId, row.ticketId, JSON.stringify(row.messageIds), row.delaySeconds, row.customerAddress],
    );
    return inserted.length > 0;
  }
}
