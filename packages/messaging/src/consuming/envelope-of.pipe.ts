import type { PipeTransform } from '@nestjs/common';
import type { EventDefinition, EventEnvelope } from '@ensoras/contracts';
import { checkEnvelope } from './envelope-check.js';

/**
 * `@Payload(new EnvelopeOf(MailReceived))`: the handler gets an envelope of that event in a version it knows, or the
 * event is dead-lettered at once with the reason (a PermanentEventError), instead of failing somewhere inside.
 */
export class EnvelopeOf<TPayload> implements PipeTransform<unknown, EventEnvelope<TPayload>> {
  constructor(private readonly definition: EventDefinition<TPayload>) {}

  transform(value: unknown): EventEnvelope<TPayload> {
    return checkEnvelope(value, this.definition);
  }
}
