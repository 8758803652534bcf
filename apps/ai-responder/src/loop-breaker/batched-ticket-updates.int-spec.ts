import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnvelope, TicketUpdated, type EventEnvelope, type TicketStatus, type TicketUpdatedPayload } from '@ensoras/contracts';
import { DataSource } from 'typeorm';
import { JANE, ResponderHarness, ticketMessage, type RunningApp } from '../test-support/ai-responder-harness.js';
import { TicketMessageIntake } from '../responses/ticket-message-intake.service.js';
import { TicketUpdatedController } from './ticket-updated.controller.js';

const PROJECT = 'p-updates';

/** ticket.updated as ticketing publishes it when a ticket's status changed. */
function statusChanged(ticketId: string, status: TicketStatus, previousStatus?: TicketStatus): EventEnvelope<TicketUpdatedPayload> {
  const now = new Date().toISOString();
  return createEnvelope(TicketUpdated, PROJECT, {
    ticket: { id: ticketId, projectId: PROJECT, subject: 'Order 4711 missing', status, customer: JANE, messageCount: 1, createdAt: now, updatedAt: now },
    changes: ['status'],
    ...(previousStatus ? { previousStatus } : {}),
  });
}

/** A batch of ticket.updated (as the batch transport hands it over) against a real PostgreSQL. */
describe('ai-responder handles a batch of ticket updates', () => {
  const harness = new ResponderHarness();
  let running: RunningApp;

  beforeAll(async () => {
    await harness.setUp();
    // Due in ten minutes: nothing is proposed while the test looks.
    await harness.putSettings(PROJECT, { responseDelay: { minSeconds: 600, maxSeconds: 600 } });
    running = await harness.start();
  });

  afterAll(async () => {
    await running?.close();
    await harness.tearDown();
  });

  it('hands off every ticket the batch hands off, once, cancels their replies and leaves the others alone', async () => {
    await running.app.get(TicketMessageIntake).receiveMany(['t-taken', 't-answered', 't-also-taken'].map((ticketId) => ticketMessage(PROJECT, ticketId)));

    await running.app.get(TicketUpdatedController).onTicketUpdated([
      statusChanged('t-taken', 'needs_human'),
      statusChanged('t-answered', 'answered'),
      statusChanged('t-taken', 'needs_human'),
      statusChanged('t-also-taken', 'needs_human'),
    ]);

    const database = running.app.get(DataSource);
    expect(await database.query(`SELECT ticket_id, status FROM ai_responder.pending_response ORDER BY ticket_id`)).toEqual([
      { ticket_id: 't-also-taken', status: 'cancelled' },
      { ticket_id: 't-answered', status: 'scheduled' },
      { ticket_id: 't-taken', status: 'cancelled' },
    ]);
    expect(await database.query(`SELECT ticket_id FROM ai_responder.handed_off_ticket ORDER BY ticket_id`)).toEqual([
      { ticket_id: 't-also-taken' },
      { ticket_id: 't-taken' },
    ]);
    // Someone else handed them off: nothing for this service to announce.
    expect(await database.query(`SELECT 1 FROM ai_responder.outbox_message WHERE subject LIKE 'reply.%.handoff'`)).toEqual([]);
  });

  it('forgets a handoff when the ticket is given back or closed, in the order of the batch, and cancels a closed one', async () => {
    await running.app.get(TicketMessageIntake).receiveMany(['t-closed', 't-reopened'].map((ticketId) => ticketMessage(PROJECT, ticketId)));

    await running.app.get(TicketUpdatedController).onTicketUpdated([
      statusChanged('t-resumed', 'needs_human', 'open'),
      statusChanged('t-resumed', 'open', 'needs_human'),
      statusChanged('t-resumed-late', 'open', 'needs_human'),
      statusChanged('t-resumed-late', 'needs_human', 'open'),
      statusChanged('t-closed', 'closed', 'open'),
      // Reopened by a customer mail (answered → open): not a ticket given back.
      statusChanged('t-held', 'needs_human', 'answered'),
      statusChanged('t-held', 'open', 'answered'),
      statusChanged('t-held', 'open'),
    ]);

    const database = running.app.get(DataSource);
    expect(await database.query(`SELECT ticket_id FROM ai_responder.handed_off_ticket WHERE ticket_id IN ('t-resumed', 't-resumed-late', 't-closed', 't-held') ORDER BY ticket_id`)).toEqual([
      { ticket_id: 't-held' },
      { ticket_id: 't-resumed-late' },
    ]);
    expect(await database.query(`SELECT ticket_id, status FROM ai_responder.pending_response WHERE ticket_id IN ('t-closed', 't-reopened') ORDER BY ticket_id`)).toEqual([
      { ticket_id: 't-closed', status: 'cancelled' },
      { ticket_id: 't-reopened', status: 'scheduled' },
    ]);
  });
});
