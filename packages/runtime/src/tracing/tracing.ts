import { createRequire } from 'node:module';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace';

export interface TracingOptions {
  /** The default of OTEL_SERVICE_NAME. */
  service: string;
  /** Where spans go instead of the OTLP exporter (tests); tracing then starts without OTEL_EXPORTER_OTLP_ENDPOINT. */
  spanProcessors?: SpanProcessor[];
  environment?: NodeJS.ProcessEnv;
}

export interface Tracing {
  /** Sends the spans that are still buffered. */
  flush(): Promise<void>;
}

let started: Tracing | undefined;

/** Probes and scrapes: a span every few seconds that tells nothing. */
const UNTRACED_PATHS = /^\/(health|metrics)(\/|\?|$)/;

/**
 * OpenTelemetry tracing, when OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set: spans of
 * incoming and outgoing HTTP requests and of the events published and handled (see @ensoras/messaging
 * event-tracing.ts), sent by OTLP/HTTP (JSON) as `OTEL_SERVICE_NAME` (the service's name unless set). The W3C
 * propagator carries the trace in HTTP headers and in event envelopes. Unset, nothing is installed: the
 * OpenTelemetry API stays a no-op and costs nothing. Once per process; later calls return the first.
 *
 * Call it before Nest is created (startService does, first thing): the HTTP instrumentation patches the `http`
 * module when it is next required, which express does while Nest loads. No preload (`--import`) is needed: only
 * the built-in `http` is instrumented, and its server prototype is shared by CommonJS and ESM alike.
 */
export function startTracing(options: TracingOptions): Tracing | undefined {
  if (started) return started;
  const environment = options.environment ?? process.env;
  const endpoint = environment.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || environment.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (environment.OTEL_SDK_DISABLED === 'true' || (!endpoint && !options.spanProcessors)) return undefined;
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': environment.OTEL_SERVICE_NAME || options.service }),
    // The exporter reads OTEL_EXPORTER_OTLP_* (endpoint, headers, timeout) itself.
    spanProcessors: options.spanProcessors ?? [new BatchSpanProcessor({ exporter: new OTLPTraceExporter() })],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  registerInstrumentations({
    instrumentations: [new HttpInstrumentation({ ignoreIncomingRequestHook: (request) => UNTRACED_PATHS.test(request.url ?? '') })],
  });
  // Patches the http module now (require-in-the-middle acts on require), whoever loaded it before.
  createRequire(import.meta.url)('node:http');
  started = { flush: () => provider.forceFlush() };
  return started;
}
