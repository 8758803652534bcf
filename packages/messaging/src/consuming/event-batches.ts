import type { PipeTransform } from '@nestjs/common';
import type { EventDefinition, EventEnvelope } from '@ensoras/contracts';
import { checkEnvelope } from './envelope-check.js';
import { PermanentEventError } from './event-failure.js';

/** The key under which `inBatchesOf` marks a handler in its `@EventPattern` extras. */
const BATCH_EXTRA = 'ensorasMaxBatch';

/**
 * `@EventPattern<string>(MailReceived.anyProject, inBatchesOf(50))`: the handler gets an array of envelopes, up to
 * that many consecutive events of one project, in their order, and all of them are acknowledged when it returns.
 * When a batch fails, for whatever reason, its events are handled again one by one (each as a one-element array),
 * with the usual outcome for each: a dependency outage holds the first of them, a bad event is dead-lettered alone.
 * So a batch handler must do all of its work in one transaction, or none of it.
 */
export function inBatchesOf(maxEvents: number): Record<string, unknown> {
  if (!Number.isInteger(maxEvents) || maxEvents < 1) throw new RangeError(`a batch holds a positive number of events, not ${maxEvents}`);
  return { [BATCH_EXTRA]: maxEvents };
}

/** How many events a handler takes at once: 1 for a plain `@EventPattern`, which gets each envelope alone. */
export function maxBatchOf(extras: Record<string, unknown> | undefined): number {
  const value = extras?.[BATCH_EXTRA];
  return typeof value === 'number' ? value : 1;
}

export function isBatchHandler(extras: Record<string, unknown> | undefined): boolean {
  return extras?.[BATCH_EXTRA] !== undefined;
}

/**
 * `@Payload(new EnvelopesOf(MailReceived))` for a handler `inBatchesOf(n)`: each envelope checked as `EnvelopeOf`
 * does. One bad envelope fails the batch; handled one by one afterwards, only that event is dead-lettered.
 */
export class EnvelopesOf<TPayload> implements PipeTransform<unknown, Array<EventEnvelope<TPayload>>> {
  constructor(private readonly definition: EventDefinition<TPayload>) {}

  transform(value: unknown): Array<EventEnvelope<TPayload>> {
    if (!Array.isArray(value)) throw new PermanentEventError('a batch handler was given something other than an array of events');
    return value.map((item) => checkEnvelope(item, this.definition));
  }
}
