import { type DynamicModule, type LoggerService, Module } from '@nestjs/common';
import type { NestFactory } from '@nestjs/core';
import { Logger as NestPinoLogger, PinoLogger, type Params } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { startTracing } from '../tracing/tracing.js';
import { TraceFlush } from '../tracing/trace-flush.js';
import { LoggingModule, httpLogging } from './logging.module.js';
import { createServiceLogger } from './service-logger.js';

/** The service's root module, as startService gets it. */
type ServiceModule = Parameters<typeof NestFactory.create>[0];

export interface Observability {
  /** The Nest logger of the application (JSON lines through pino). */
  logger: LoggerService;
  /** The service's module with logging (and tracing's flush at shutdown) around it: what Nest is created from. */
  module(service: ServiceModule): DynamicModule;
}

@Module({})
class ObservedService {}

/**
 * Logs and traces for a service, set up before Nest is created: tracing first (it patches `http`, see
 * startTracing), then the pino logger from LOG_LEVEL and LOG_FORMAT.
 */
export function observe(service: string, options: { logDestination?: DestinationStream } = {}): Observability {
  const tracing = startTracing({ service });
  const params: Params = {
    pinoHttp: httpLogging(createServiceLogger({ service, level: process.env.LOG_LEVEL, format: process.env.LOG_FORMAT, destination: options.logDestination })),
  };
  return {
    logger: new NestPinoLogger(new PinoLogger(params), params),
    module: (root) => ({
      module: ObservedService,
      imports: [root as NonNullable<DynamicModule['imports']>[number], LoggingModule.forRoot(params)],
      providers: tracing ? [{ provide: TraceFlush, useFactory: () => new TraceFlush(tracing) }] : [],
    }),
  };
}
