import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnvelope, TicketUpdated, type EventEnvelope, type TicketStatus, type TicketUpdatedPayload } from '@ensoras/contracts';
import { DataSource } from 'typeorm';
import { JANE, ResponderHarness, ticketMessage, type RunningApp } from '../responses/ai-responder.int-harness.js';
import { TicketMessageIntake } from '../responses/ticket-message-intake.service.js';
import { TicketUpdatedController } from './ticket-updated.controller.js';

const PROJECT = 'p-updates';

/** ticket.updated as ticketing publishes it when a ticket's status changed. */
function statusChanged(ticketId: string, status: TicketStatus): EventEnvelope<TicketUpdatedPayload> {
  const now = new Date().toISOString();
  return createEnvelope(TicketUpdated, PROJECT, {
    ticket: { id: ticketId, projectId: PROJECT, subject: 'Order 4711 missing', status, customer: JANE, messageCount: 1, createdAt: now, updatedAt: now },
    changes: ['status'],
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
      statusChanged('t-taken', 'handed_off'),
      statusChanged('t-answered', 'answered'),
      statusChanged('t-taken', 'handed_off'),
      statusChanged('t-also-taken', 'handed_off'),
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
});
