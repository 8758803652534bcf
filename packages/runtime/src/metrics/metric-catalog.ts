/**
 * Every Prometheus series the services export, in one place: the dashboard and the alert rules in
 * infra/observability/ are read against this list (observability-files.spec.ts), and each service's metrics are
 * created from these definitions, so a name here is a name on /metrics. Names follow one scheme: `ensoras_`, the
 * area, what is measured, and the unit (`_seconds`, `_total` for counters). Every series also carries the
 * `service` label (a default label of the service's registry). Labels are bounded sets: routes by their template,
 * consumers by name, never a project, mailbox, address or raw URL.
 */

export interface MetricDefinition {
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly string[];
  readonly buckets?: number[];
}

// --- Every service (packages/runtime) ---------------------------------------------------------------------------

export const HTTP_REQUESTS = {
  name: 'ensoras_http_requests_total',
  help: 'HTTP requests answered, by method, route template (`unmatched` when no route matched) and status code',
  labelNames: ['method', 'route', 'status'] as const,
};

export const HTTP_REQUEST_DURATION = {
  name: 'ensoras_http_request_duration_seconds',
  help: 'Time from a request reaching the service to its response being sent, by method, route template and status code',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
};

export const CONSUMER_PENDING = {
  name: 'ensoras_consumer_pending_messages',
  help: "Events in the stream not yet delivered to the service's durable consumer (JetStream num_pending), read at scrape",
  labelNames: ['stream', 'consumer'] as const,
};

export const CONSUMER_ACK_PENDING = {
  name: 'ensoras_consumer_ack_pending_messages',
  help: 'Events delivered to the consumer and not yet acknowledged: queued in a project lane or being handled (num_ack_pending)',
  labelNames: ['stream', 'consumer'] as const,
};

export const CONSUMER_REDELIVERED = {
  name: 'ensoras_consumer_redelivered_messages',
  help: 'Events delivered more than once and not yet acknowledged (JetStream num_redelivered), read at scrape',
  labelNames: ['stream', 'consumer'] as const,
};

export const EVENT_REDELIVERIES = {
  name: 'ensoras_event_redeliveries_total',
  help: 'Events this process received again after an earlier delivery (a retry, a lapsed lease, a replica that stopped), by consumer',
  labelNames: ['consumer'] as const,
};

export const EVENT_HANDLER_FAILURES = {
  name: 'ensoras_event_handler_failures_total',
  help: 'Event handler failures by consumer and kind: transient (a dependency was unavailable; retried), permanent, unknown',
  labelNames: ['consumer', 'kind'] as const,
};

export const DEAD_LETTERS_PUBLISHED = {
  name: 'ensoras_dead_letters_published_total',
  help: 'Events this process dead-lettered, by consumer and kind (permanent: rejected by the handler; exhausted: kept failing)',
  labelNames: ['consumer', 'kind'] as const,
};

export const DEAD_LETTERS_STORED = {
  name: 'ensoras_dead_letters_stored',
  help: 'Dead letters of this service waiting in the DEADLETTER stream (listed and replayed with `npm run deadletters`)',
};

export const OUTBOX_OLDEST_PENDING_AGE = {
  name: 'ensoras_outbox_oldest_pending_age_seconds',
  help: 'Age of the oldest outbox row not yet published (0 when none waits; parked rows not counted); readiness fails above 300 s',
};

export const OUTBOX_ROWS = {
  name: 'ensoras_outbox_rows',
  help: 'Outbox rows waiting to be published (pending) or moved aside after failing (parked)',
  labelNames: ['state'] as const,
};

// --- ai-responder -----------------------------------------------------------------------------------------------

export const AI_GENERATION_DURATION = {
  name: 'ensoras_ai_generation_duration_seconds',
  help: 'Time to generate one reply with the configured provider, by outcome: reply, handoff (to a human) or failed',
  labelNames: ['outcome'] as const,
  buckets: [0.05, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120],
};

export const AI_GENERATION_FAILURES = {
  name: 'ensoras_ai_generation_failures_total',
  help:
    'Reply generations that failed (the response is retried later), by reason: timeout, unreachable, rate_limited, ' +
    'provider_error (5xx), rejected (other 4xx, e.g. a wrong key), invalid_reply (empty or not the asked JSON), other',
  labelNames: ['reason'] as const,
};

// --- mail-ingest ------------------------------------------------------------------------------------------------

export const MAILS_IMPORTED = {
  name: 'ensoras_mail_ingest_mails_imported_total',
  help: 'Mails taken from a mailbox: published as mail.received, found already stored (re-import), or quarantined',
  labelNames: ['result'] as const,
};

export const IMPORT_LATENCY = {
  name: 'ensoras_mail_ingest_import_latency_seconds',
  help:
    'From a mail landing in the mailbox (IMAP INTERNALDATE, whole seconds) to its mail.received event being stored; ' +
    'only mail that arrived while the mailbox was being watched',
  buckets: [0.25, 0.5, 1, 1.5, 2, 3, 5, 10, 30, 60, 300],
};

export const MAILBOXES = {
  name: 'ensoras_mail_ingest_mailboxes',
  help: 'Mailboxes this replica watches, by state',
  labelNames: ['state'] as const,
};

// --- mail-outbound ----------------------------------------------------------------------------------------------

export const MAILS_SENT = {
  name: 'ensoras_mail_outbound_sent_total',
  help: 'Mails accepted by the SMTP server',
};

export const MAILS_FAILED = {
  name: 'ensoras_mail_outbound_failed_total',
  help: 'Mails given up on (reported with mail.failed, permanent), by failure code',
  labelNames: ['code'] as const,
};

export const SMTP_RETRIES = {
  name: 'ensoras_mail_outbound_retries_total',
  help: 'SMTP attempts that failed transiently and will be retried, by failure code',
  labelNames: ['code'] as const,
};

export const SENT_COPIES = {
  name: 'ensoras_mail_outbound_sent_copies_total',
  help:
    "Copies of sent mail in the mailbox's Sent folder, by outcome: appended (or found there), skipped (setting off, " +
    'provider files it, no IMAP or no Sent folder), failed (attempts ran out)',
  labelNames: ['outcome'] as const,
};

export const SMTP_SEND_DURATION = {
  name: 'ensoras_mail_outbound_send_duration_seconds',
  help: 'Duration of one SMTP transaction (connect or pooled connection, envelope, DATA), by outcome: sent, transient_failure, permanent_failure',
  labelNames: ['outcome'] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
};

/** What each service registers: the runtime's series on all of them, plus its own. */
export const SERVICE_METRICS: readonly MetricDefinition[] = [
  HTTP_REQUESTS,
  HTTP_REQUEST_DURATION,
  CONSUMER_PENDING,
  CONSUMER_ACK_PENDING,
  CONSUMER_REDELIVERED,
  EVENT_REDELIVERIES,
  EVENT_HANDLER_FAILURES,
  DEAD_LETTERS_PUBLISHED,
  DEAD_LETTERS_STORED,
  OUTBOX_OLDEST_PENDING_AGE,
  OUTBOX_ROWS,
];

export const METRICS_OF_SERVICE: Readonly<Record<string, readonly MetricDefinition[]>> = {
  'channel-config': [],
  ticketing: [],
  'ai-responder': [AI_GENERATION_DURATION, AI_GENERATION_FAILURES],
  'mail-ingest': [MAILS_IMPORTED, IMPORT_LATENCY, MAILBOXES],
  'mail-outbound': [MAILS_SENT, MAILS_FAILED, SMTP_RETRIES, SENT_COPIES, SMTP_SEND_DURATION],
};
