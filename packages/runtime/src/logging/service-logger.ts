import { logContext } from '@ensoras/messaging';
import { destination as pinoDestination, pino, stdSerializers, stdTimeFunctions, type DestinationStream, type Level, type Logger } from 'pino';
import { PinoPretty } from 'pino-pretty';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LOG_FORMATS, LOG_LEVELS } from '../environment.js';
import { withoutSecrets } from './secret-redaction.js';

export type LogFormat = (typeof LOG_FORMATS)[number];

export interface ServiceLoggerOptions {
  /** Every line carries it as `service`. */
  service: string;
  /** LOG_LEVEL: error, warn, log (default), debug or verbose, Nest's names. */
  level?: string;
  /** LOG_FORMAT: `json` (default, one object a line) or `pretty` (for people: `npm start` sets it). */
  format?: string;
  /** Where the lines go (pretty: a stream); stdout unless told (tests). */
  destination?: DestinationStream;
}

/** Nest's levels as pino names them. */
const PINO_LEVELS: Record<(typeof LOG_LEVELS)[number], Level> = { error: 'error', warn: 'warn', log: 'info', debug: 'debug', verbose: 'trace' };

/**
 * The pino logger a service writes everything through: one JSON object a line with `time`, `level`, `service`,
 * `context` (the Nest logger's name), `msg`, and the fields of the request or event being handled (projectId,
 * ticketId, messageId, eventId, consumer, subject: see logContext). Secret fields are redacted wherever they appear.
 */
export function createServiceLogger(options: ServiceLoggerOptions): Logger {
  const format: LogFormat = options.format === 'pretty' ? 'pretty' : 'json';
  const level = PINO_LEVELS[(options.level ?? 'log') as keyof typeof PINO_LEVELS] ?? 'info';
  const destination = format === 'pretty' ? prettyOutput(options.destination) : (options.destination ?? pinoDestination({ fd: 1, sync: true }));
  return pino(
    {
      level,
      base: { service: options.service },
      timestamp: stdTimeFunctions.isoTime,
      formatters: {
        // Pretty output reads the numeric level; JSON consumers (Loki, Elasticsearch, jq) prefer its name.
        ...(format === 'json' ? { level: (label: string) => ({ level: label }) } : {}),
        // Secret fields, wherever they appear in a line's own fields or a child logger's.
        log: (fields: Record<string, unknown>) => withoutSecrets(fields),
        bindings: (bindings: Record<string, unknown>) => withoutSecrets(bindings),
      },
      // A copy: pino merges the line's own fields into what the mixin returns.
      mixin: () => ({ ...logContext.current() }),
      serializers: { err: stdSerializers.err },
    },
    destination,
  );
}

/**
 * A request as logged: method and path, no query (an OAuth callback's carries its code) and no headers
 * (Authorization, cookies).
 */
export function requestSummary(request: Pick<IncomingMessage, 'method' | 'url'> & { id?: unknown }): object {
  return { id: request.id, method: request.method, path: (request.url ?? '').split('?')[0] };
}

export function responseSummary(response: ServerResponse): object {
  return { statusCode: response.statusCode };
}

function prettyOutput(destination: DestinationStream | undefined): DestinationStream {
  return PinoPretty({
    destination: destination ?? 1,
    // `npm start` prefixes each line with the service already.
    ignore: 'pid,hostname,service,context',
    messageFormat: '{if context}[{context}] {end}{msg}',
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss.l',
    sync: true,
  });
}
