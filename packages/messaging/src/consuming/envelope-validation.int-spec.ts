import 'reflect-metadata';
import { Controller, type INestApplication } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createEnvelope,
  MailSent,
  subjectOf,
  TicketCreated,
  type EventEnvelope,
  type MailSentPayload,
  type TicketCreatedPayload,
  type TicketView,
} from '@ensoras/contracts';
import { createTestDatabase, eventually, startNats, type NatsTestServer, type TestDatabase } from '@ensoras/testing';
import { startMessagingTestApp } from '../test-support/messaging-test-app.js';
import { EnvelopeOf } from './envelope-of.pipe.js';
import { EnvelopesOf, inBatchesOf } from './event-batches.js';

const handledTickets: string[] = [];
const handledReports: string[] = [];

@Controller()
class ValidatingController {
  @EventPattern<string>(TicketCreated.anyProject)
  onTicketCreated(@Payload(new EnvelopeOf(TicketCreated)) envelope: EventEnvelope<TicketCreatedPayload>): void {
    handledTickets.push(envelope.payload.ticket.subject);
  }

  @EventPattern<string>(MailSent.anyProject, inBatchesOf(10))
  onMailSent(@Payload(new EnvelopesOf(MailSent)) envelopes: Array<EventEnvelope<MailSentPayload>>): void {
    handledReports.push(...envelopes.map((envelope) => envelope.payload.outboundMessageId));
  }
}

function ticket(subject: string): TicketView {
  const now = new Date().toISOString();
  return { id: crypto.randomUUID(), projectId: 'p1', subject, status: 'open', customer: { address: 'ann@customer.test', name: 'Ann' }, messageCount: 1, createdAt: now, updatedAt: now };
}

function report(outboundMessageId: string): MailSentPayload {
  return { outboundMessageId, ticketId: 't1', messageId: `<${outboundMessageId}@acme.test>`, sentAt: new Date().toISOString(), smtpResponse: '250 OK' };
}

/** Every dead letter of a subject: the envelope as it came and the reason. */
async function deadLetters(jsm: JetStreamManager, subject: string): Promise<Array<{ id: string; kind: string | undefined; reason: string | undefined }>> {
  const info = await jsm.streams.info('DEADLETTER', { subjects_filter: subject }).catch(() => null);
  const found: Array<{ id: string; kind: string | undefined; reason: string | undefined }> = [];
  for (let seq = info?.state.first_seq ?? 1; info && seq <= info.state.last_seq; seq++) {
    const message = await jsm.streams.getMessage('DEADLETTER', { seq }).catch(() => null);
    if (message?.subject !== subject) continue;
    found.push({ id: message.json<EventEnvelope>().id, kind: message.header.get('Ensoras-Failure-Kind'), reason: message.header.get('Ensoras-Error') });
  }
  return found;
}

describe('consumers validate every event at the boundary, on a real NATS', () => {
  let nats: NatsTestServer;
  let database: TestDatabase;
  let app: INestApplication;
  let client: NatsConnection;

  beforeAll(async () => {
    [nats, database] = await Promise.all([startNats(), createTestDatabase()]);
    app = await startMessagingTestApp({ nats, database, service: 'validation', controllers: [ValidatingController], consumer: { maxAttempts: 3, backoffMs: [100] } });
    client = await connect({ servers: nats.url });
  });

  afterAll(async () => {
    await client?.close();
    await app?.close();
    await Promise.all([nats?.stop(), database?.drop()]);
  });

  const publish = async (envelope: EventEnvelope<unknown>) => {
    await jetstream(client).publish(subjectOf(envelope), JSON.stringify(envelope), { msgID: envelope.id });
  };

  it('dead-letters an invalid payload and an unknown major version at once, with the reason, and handles the valid events around them', async () => {
    const invalid = createEnvelope(TicketCreated, 'p1', { ticket: { ...ticket('Invalid'), subject: 42 as unknown as string } });
    const future = { ...createEnvelope(TicketCreated, 'p1', { ticket: ticket('From the future') }), version: TicketCreated.version + 1 };
    await publish(createEnvelope(TicketCreated, 'p1', { ticket: ticket('Before') }));
    await publish(invalid);
    await publish(future);
    await publish(createEnvelope(TicketCreated, 'p1', { ticket: ticket('After') }));

    await eventually(() => handledTickets.includes('After'), { timeoutMs: 15_000 });
    const jsm = await jetstreamManager(client);
    const parked = await eventually(async () => {
      const letters = await deadLetters(jsm, `deadletter.validation.${TicketCreated.subject('p1')}`);
      return letters.length === 2 ? letters : null;
    }, { timeoutMs: 15_000 });
    expect(parked).toEqual([
      { id: invalid.id, kind: 'permanent', reason: 'ticket.created v1 is invalid: payload.ticket.subject: must be string' },
      { id: future.id, kind: 'permanent', reason: `ticket.created major version ${TicketCreated.version + 1} is unknown here (up to ${TicketCreated.version})` },
    ]);
    expect(handledTickets).toEqual(['Before', 'After']);
  });

  it('dead-letters the invalid event of a batch and handles the rest of it', async () => {
    const { smtpResponse: _, ...withoutResponse } = report('m-invalid');
    const invalid = createEnvelope(MailSent, 'p2', withoutResponse as MailSentPayload);
    for (const envelope of [createEnvelope(MailSent, 'p2', report('m-1')), invalid, createEnvelope(MailSent, 'p2', report('m-2'))]) await publish(envelope);

    await eventually(() => handledReports.includes('m-2'), { timeoutMs: 15_000 });
    const jsm = await jetstreamManager(client);
    const parked = await eventually(async () => {
      const letters = await deadLetters(jsm, `deadletter.validation.${MailSent.subject('p2')}`);
      return letters.length === 1 ? letters : null;
    }, { timeoutMs: 15_000 });
    expect(parked).toEqual([{ id: invalid.id, kind: 'permanent', reason: 'mail.sent v1 is invalid: payload.smtpResponse: is required' }]);
    expect(handledReports.filter((id) => id.startsWith('m-'))).toEqual(['m-1', 'm-2']);
  });
});
