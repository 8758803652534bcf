import { eventIds } from './event-ids.js';

/** Every event on NATS travels in this envelope; the payload class comes from this package. */
export interface EventEnvelope<TPayload = unknown> {
  /** Unique per event; also the JetStream Nats-Msg-Id, so a re-publish of the same event is de-duplicated. */
  id: string;
  type: string;
  version: number;
  occurredAt: string;
  projectId: string;
  payload: TPayload;
  /**
   * Part of a bulk import (a mailbox's history) or caused by it: published with the `Ensoras-Backlog` header, so
   * consumers work through it in the project's backlog lane, beside the project's new events instead of ahead of
   * them. Absent otherwise.
   */
  backlog?: true;
  /**
   * The W3C trace context (https://www.w3.org/TR/trace-context/) of the work that caused the event, so a consumer's
   * trace continues the producer's. Absent when tracing is off.
   */
  trace?: EventTraceContext;
}

/** W3C trace context headers, as the `traceparent` and `tracestate` HTTP headers would carry them. */
export interface EventTraceContext {
  traceparent: string;
  tracestate?: string;
}

export interface EventDefinition<TPayload> {
  /** Event type, e.g. `ticket.created`. */
  type: string;
  version: number;
  /** First subject token: which stream carries it. */
  area: StreamArea;
  /** Subject for one project, e.g. `ticket.p1.created`. */
  subject(projectId: string): string;
  /** Subject that matches the event in every project, e.g. `ticket.*.created`. */
  anyProject: string;
  /** Marker only: the payload type travels in the type system, never at runtime. */
  readonly payloadType?: TPayload;
}

export type StreamArea = 'mail' | 'ticket' | 'reply' | 'channel';

/** Subjects are `<area>.<projectId>.<event...>`, so `ticket.<projectId>.>` follows one project. */
export function defineEvent<TPayload>(area: StreamArea, event: string, version = 1): EventDefinition<TPayload> {
  return {
    type: `${area}.${event}`,
    version,
    area,
    subject: (projectId: string) => `${area}.${projectId}.${event}`,
    anyProject: `${area}.*.${event}`,
  };
}

export function createEnvelope<TPayload>(
  definition: EventDefinition<TPayload>,
  projectId: string,
  payload: TPayload,
  id: string = eventIds.random(),
): EventEnvelope<TPayload> {
  return {
    id,
    type: definition.type,
    version: definition.version,
    occurredAt: new Date().toISOString(),
    projectId,
    payload,
  };
}

/** The subject an envelope travels on: `<area>.<projectId>.<event>`. */
export function subjectOf(envelope: Pick<EventEnvelope, 'type' | 'projectId'>): string {
  const [area, ...event] = envelope.type.split('.');
  return `${area}.${envelope.projectId}.${event.join('.')}`;
}

/** Project ids become a NATS subject token and a key in KV buckets. */
export const PROJECT_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
