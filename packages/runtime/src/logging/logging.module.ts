import { type DynamicModule, type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';
import { logContext } from '@ensoras/messaging';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { LoggerModule, type Params } from 'nestjs-pino';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Options } from 'pino-http';
import { RequestLogContext } from './request-log-context.interceptor.js';
import { requestSummary, responseSummary } from './service-logger.js';

/** Probes and scrapes come every few seconds; their lines would drown the rest. */
const UNLOGGED_PATHS = /^\/(health|metrics)(\/|\?|$)/;

/**
 * How HTTP requests are logged: one line when each completes (method, path, status, response time and the route's
 * ids), at warn for a 4xx and error for a 5xx; health probes and metric scrapes not at all.
 */
export function httpLogging(logger: Logger): Options {
  return {
    logger,
    autoLogging: { ignore: (request: IncomingMessage) => UNLOGGED_PATHS.test(request.url ?? '') },
    customLogLevel: (_request: IncomingMessage, response: ServerResponse, error?: Error) =>
      error || response.statusCode >= 500 ? 'error' : response.statusCode >= 400 ? 'warn' : 'info',
    // The lines logged while handling a request carry its id (`reqId`); the request itself is logged once, at the end.
    quietReqLogger: true,
    // pino-http's own serializers would log every header and the query; these do not.
    serializers: { req: requestSummary, res: responseSummary },
  };
}

/** nestjs-pino, and the route's ids (projectId, ticketId, messageId) on every line logged while a request is handled. */
@Module({})
export class LoggingModule implements NestModule {
  /** A log context per request, that RequestLogContext and the handlers fill in (see logContext). */
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply((_request: unknown, _response: unknown, next: () => void) => logContext.run({}, next))
      .forRoutes({ path: '{/*splat}', method: RequestMethod.ALL });
  }

  static forRoot(params: Params): DynamicModule {
    return {
      module: LoggingModule,
      imports: [LoggerModule.forRoot(params)],
      providers: [{ provide: APP_INTERCEPTOR, useClass: RequestLogContext }],
    };
  }
}
