import { Injectable } from '@nestjs/common';
import { subjectOf, type EventEnvelope } from '@ensoras/contracts';
import type { EntityManager } from 'typeorm';
import { OutboxMessage } from './outbox-message.entity.js';
import { OutboxRelay } from './outbox.relay.js';

@Injectable()
export class Outbox {
  constructor(private readonly relay: OutboxRelay) {}

  /** Call inside the transaction that makes the change; the event exists exactly when the change does. */
  async add(manager: EntityManager, ...envelopes: EventEnvelope[]): Promise<void> {
    if (envelopes.length === 0) return;
    await manager.insert(
      OutboxMessage,
      envelopes.map((envelope) => ({
        id: envelope.id,
        subject: subjectOf(envelope),
        envelope: envelope as OutboxMessage['envelope'] & object,
        publishedAt: null,
      })) as never,
    );
  }

  /** Call after the transaction committed, to publish without waiting for the next poll. */
  publishSoon(): void {
    this.relay.kick();
  }
}
