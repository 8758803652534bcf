import type { EventDefinition, EventEnvelope } from '@ensoras/contracts';
import { PermanentEventError } from './event-failure.js';

/**
 * The envelope a handler of `definition` can work with, or a PermanentEventError saying why not (dead-lettered at
 * once with that reason): not an envelope, another event type, or a version newer than this code knows.
 */
export function checkEnvelope<TPayload>(data: unknown, definition: EventDefinition<TPayload>): EventEnvelope<TPayload> {
  if (!data || typeof data !== 'object') throw new PermanentEventError('the event is not an envelope object');
  const envelope = data as Partial<EventEnvelope<TPayload>>;
  if (typeof envelope.id !== 'string' || typeof envelope.projectId !== 'string') {
    throw new PermanentEventError('the envelope has no id or projectId');
  }
  if (envelope.type !== definition.type) {
    throw new PermanentEventError(`expected a ${definition.type} event, got ${String(envelope.type)}`);
  }
  if (typeof envelope.version !== 'number' || envelope.version > definition.version) {
    throw new PermanentEventError(`${definition.type} version ${String(envelope.version)} is unknown here (up to ${definition.version})`);
  }
  if (!envelope.payload || typeof envelope.payload !== 'object') throw new PermanentEventError(`${definition.type} has no payload`);
  return envelope as EventEnvelope<TPayload>;
}
