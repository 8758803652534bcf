import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Link, type Span } from '@opentelemetry/api';
import type { EventEnvelope, EventTraceContext } from '@ensoras/contracts';
import { logContext } from './log-context.js';

/*
 * Traces across NATS: the envelope carries the W3C trace context of the work that caused it (`envelope.trace`), the
 * publisher sends it under a PRODUCER span and the consumer continues it under a CONSUMER span. Everything goes
 * through the global OpenTelemetry API: until the service starts tracing (OTEL_EXPORTER_OTLP_ENDPOINT, see
 * @ensoras/runtime) the propagator and tracer are no-ops, nothing is injected and no span is recorded.
 */
const tracer = trace.getTracer('@ensoras/messaging');

/** The trace context of `active` as an envelope carries it; undefined when tracing is off or nothing is traced. */
export function traceContextOf(active: Context = context.active()): EventTraceContext | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(active, carrier);
  if (!carrier.traceparent) return undefined;
  return carrier.tracestate ? { traceparent: carrier.traceparent, tracestate: carrier.tracestate } : { traceparent: carrier.traceparent };
}

/**
 * The envelope with the current trace context, for an event stored to be published later (the outbox): its trace
 * then continues from the request or event that caused it, not from the relay. One that carries a context keeps it.
 */
export function withTraceContext<T extends EventEnvelope>(envelope: T): T {
  if (envelope.trace) return envelope;
  const current = traceContextOf();
  return current ? { ...envelope, trace: current } : envelope;
}

/**
 * Runs `publish` under a PRODUCER span, child of the envelope's trace context (or of the current one), and hands
 * it the envelope carrying that span's context.
 */
export function tracePublish<T>(envelope: EventEnvelope, subject: string, publish: (envelope: EventEnvelope) => Promise<T>): Promise<T> {
  const parent = envelope.trace ? propagation.extract(context.active(), envelope.trace) : context.active();
  const attributes = { 'messaging.system': 'nats', 'messaging.operation.type': 'send', 'messaging.destination.name': subject, 'messaging.message.id': envelope.id };
  return tracer.startActiveSpan(`send ${envelope.type}`, { kind: SpanKind.PRODUCER, attributes }, parent, (span) =>
    ended(span, () => {
      const sent = traceContextOf();
      return publish(sent ? { ...envelope, trace: sent } : envelope);
    }),
  );
}

/**
 * Runs the handling of delivered events (one, or a batch of one project's) in their log context (consumer,
 * subject, projectId, and the eventId of a single event) and under a CONSUMER span, child of the first event's
 * trace context and linked to the others'. `data` is what the handler gets: an envelope, or an array of them for a
 * batch handler; it is read defensively, as it is not validated yet.
 */
export function traceHandling<T>(consumer: string, subject: string, data: unknown, handle: () => Promise<T>): Promise<T> {
  const envelopes = (Array.isArray(data) ? data : [data]).map(envelopeFields);
  const [first] = envelopes;
  const fields = { consumer, subject, projectId: first?.projectId, eventId: envelopes.length === 1 ? first?.id : undefined };
  const parent = first?.trace ? propagation.extract(ROOT_CONTEXT, first.trace) : ROOT_CONTEXT;
  const links: Link[] = envelopes.slice(1).flatMap((envelope) => {
    const linked = envelope.trace ? trace.getSpanContext(propagation.extract(ROOT_CONTEXT, envelope.trace)) : undefined;
    return linked ? [{ context: linked }] : [];
  });
  const attributes = {
    'messaging.system': 'nats',
    'messaging.operation.type': 'process',
    'messaging.destination.name': subject,
    'messaging.consumer.group.name': consumer,
    ...(fields.eventId ? { 'messaging.message.id': fields.eventId } : { 'messaging.batch.message_count': envelopes.length }),
  };
  return logContext.run(fields, () =>
    tracer.startActiveSpan(`process ${first?.type ?? subject}`, { kind: SpanKind.CONSUMER, attributes, links }, parent, (span) =>
      ended(span, handle),
    ),
  );
}

async function ended<T>(span: Span, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    throw error;
  } finally {
    span.end();
  }
}

interface EnvelopeFields {
  id?: string;
  type?: string;
  projectId?: string;
  trace?: EventTraceContext;
}

function envelopeFields(value: unknown): EnvelopeFields {
  if (typeof value !== 'object' || value === null) return {};
  const { id, type, projectId, trace } = value as Record<string, unknown>;
  const traceparent = typeof trace === 'object' && trace !== null ? (trace as Record<string, unknown>).traceparent : undefined;
  const tracestate = typeof trace === 'object' && trace !== null ? (trace as Record<string, unknown>).tracestate : undefined;
  return {
    id: typeof id === 'string' ? id : undefined,
    type: typeof type === 'string' ? type : undefined,
    projectId: typeof projectId === 'string' ? projectId : undefined,
    trace: typeof traceparent === 'string' ? { traceparent, ...(typeof tracestate === 'string' ? { tracestate } : {}) } : undefined,
  };
}
