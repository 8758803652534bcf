import { AsyncLocalStorage } from 'node:async_hooks';

/** What a log line is about, each field where it applies; the service logger adds them to every line (a pino mixin). */
export interface LogFields {
  projectId?: string;
  ticketId?: string;
  messageId?: string;
  /** The envelope id of the event being handled. */
  eventId?: string;
  /** The JetStream consumer handling the event, e.g. `ticketing__mail_any_received`. */
  consumer?: string;
  /** The subject of the event being handled, e.g. `mail.p1.received`. */
  subject?: string;
}

const storage = new AsyncLocalStorage<LogFields>();
const NONE: Readonly<LogFields> = Object.freeze({});

/**
 * The fields of the request or event being handled, carried through every await (AsyncLocalStorage). The transport
 * opens one per event (consumer, subject, eventId, projectId), the HTTP layer one per request (the route's ids);
 * a handler that learns more adds it: `logContext.assign({ ticketId })`.
 */
export const logContext = {
  /** Runs `work` with `fields` on top of the surrounding ones; what `work` assigns stays inside it. */
  run<T>(fields: LogFields, work: () => T): T {
    return storage.run({ ...storage.getStore(), ...defined(fields) }, work);
  },

  /** Adds fields for the rest of the current request or event; outside of one it does nothing. */
  assign(fields: LogFields): void {
    const store = storage.getStore();
    if (store) Object.assign(store, defined(fields));
  },

  /** The current fields; none outside a request or event. */
  current(): Readonly<LogFields> {
    return storage.getStore() ?? NONE;
  },
};

function defined(fields: LogFields): LogFields {
  const copy: LogFields = {};
  for (const [key, value] of Object.entries(fields) as [keyof LogFields, string | undefined][]) {
    if (value !== undefined && value !== null) copy[key] = String(value);
  }
  return copy;
}
