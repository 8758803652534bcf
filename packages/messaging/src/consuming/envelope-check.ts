import type { EventDefinition, EventEnvelope } from '@ensoras/contracts';
import { envelopeSchemaProblem } from './envelope-schemas.js';
import { PermanentEventError } from './event-failure.js';

/**
 * The envelope a handler of `definition` can work with, or a PermanentEventError saying why not (dead-lettered at
 * once with that reason): not an envelope, another event type, a major version newer than this code knows, or an
 * envelope or payload that breaks the JSON Schema of its type and version (docs/events), e.g.
 * `ticket.created v1: payload.ticket.subject: must be string`.
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
  const version = envelope.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new PermanentEventError(`${definition.type} version ${String(version)} is not a major version (a positive integer)`);
  }
  // Major versions only: a newer one changed the payload in a way this code cannot know; an older one is still read.
  if (version > definition.version) {
    throw new PermanentEventError(`${definition.type} major version ${version} is unknown here (up to ${definition.version})`);
  }
  if (!envelope.payload || typeof envelope.payload !== 'object') throw new PermanentEventError(`${definition.type} has no payload`);
  const problem = envelopeSchemaProblem(envelope, definition.type, version);
  if (problem) throw new PermanentEventError(`${definition.type} v${version} is invalid: ${problem}`);
  return envelope as EventEnvelope<TPayload>;
}
