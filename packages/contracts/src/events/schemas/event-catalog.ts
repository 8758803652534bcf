import { EVENT_SCHEMA_DOCUMENTS } from './event-schemas.generated.js';

/** A JSON Schema (draft-07) object, or part of one. */
export type JsonSchema = { [keyword: string]: unknown } & { $ref?: string; type?: unknown; description?: string; properties?: unknown; enum?: unknown; required?: unknown };

/** One event type in one major version, with the JSON Schema of its envelope and payload (docs/events/<type>.v<version>.schema.json). */
export interface EventSchemaDocument {
  /** e.g. `ticket.created`. */
  type: string;
  /** Major version: the envelope's `version`. */
  version: number;
  /** e.g. `ticket.{projectId}.created`. */
  subject: string;
  /** e.g. `ticket.*.created`. */
  anyProject: string;
  /** The JetStream stream that stores it, e.g. `TICKETS`. */
  stream: string;
  /** The payload type in this package, e.g. `TicketCreatedPayload`. */
  payload: string;
  schema: JsonSchema;
}

/** Every event of the contracts, each major version that may still be in the streams (generated: `npm run schemas`). */
export const EVENT_SCHEMAS: readonly EventSchemaDocument[] = EVENT_SCHEMA_DOCUMENTS;

/** The schema of an event type in one major version, or undefined when the contracts define no such event. */
export function eventSchemaOf(type: string, version: number): EventSchemaDocument | undefined {
  return EVENT_SCHEMAS.find((document) => document.type === type && document.version === version);
}
