import 'reflect-metadata';
import { plainToInstance, Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, validateSync } from 'class-validator';
import { NatsEnvironment } from '@ensoras/messaging';
import { IsDatabaseUrl, IsMigrationsAtStart } from './migrations-environment.js';
import { AdminTokenSetting } from './access/admin-token.js';

/**
 * Reads and validates the environment into `schema`. On a bad value it prints which variable is wrong and why,
 * then exits: a service with a wrong setting must not half-start.
 */
export function loadEnvironment<T extends object>(schema: new () => T, source: NodeJS.ProcessEnv = process.env): T {
  const environment = plainToInstance(schema, { ...source }, { excludeExtraneousValues: false });
  const errors = validateSync(environment, { forbidUnknownValues: false });
  if (errors.length > 0) {
    const lines = errors.map((error) => `  ${error.property}: ${Object.values(error.constraints ?? {}).join('; ')}`);
    process.stderr.write(`Invalid environment:\n${lines.join('\n')}\n`);
    process.exit(1);
  }
  return environment;
}

export const LOG_LEVELS = ['error', 'warn', 'log', 'debug', 'verbose'] as const;
export const LOG_FORMATS = ['json', 'pretty'] as const;

/** What every service needs: where NATS is and how to log in (NatsEnvironment), where its data lives, which port it serves. */
export class ServiceEnvironment extends NatsEnvironment {
  @IsDatabaseUrl() DATABASE_URL?: string;

  /** false where a migrations Job runs `dist/migrate.js` (Kubernetes): the service then waits until its schema is migrated. */
  @IsMigrationsAtStart() MIGRATIONS_AT_START: boolean = true;

  @IsOptional() @IsString() @MinLength(1) DATA_DIR: string = '.data';

  @Type(() => Number) @IsInt() @Min(1) @Max(65535) PORT!: number;

  /** The interface HTTP binds: 0.0.0.0 (all, what a container needs) unless told; `npm start` passes 127.0.0.1. */
  @IsOptional() @Matches(/^[\w.:-]+$/, { message: 'HOST must be an address or host name to listen on, e.g. 127.0.0.1 or 0.0.0.0' })
  HOST: string = '0.0.0.0';

  /** The least severe level logged: error, warn, log (default), debug or verbose. */
  @IsOptional() @IsIn(LOG_LEVELS) LOG_LEVEL?: (typeof LOG_LEVELS)[number];

  /** json (default): one JSON object a line, for machines; pretty: for people (`npm start` sets it). */
  @IsOptional() @IsIn(LOG_FORMATS) LOG_FORMAT?: (typeof LOG_FORMATS)[number];

  /** Traces are sent by OTLP/HTTP to this collector (e.g. http://otel-collector:4318); unset, tracing is off. */
  @IsOptional() @Matches(/^https?:\/\/\S+$/, { message: 'OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s):// URL, e.g. http://localhost:4318' })
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;

  /** Requests a minute per scoped API token, counted by each replica on its own; the ADMIN_TOKEN is not limited. */
  @Type(() => Number) @IsInt() @Min(1) @Max(1_000_000) API_RATE_LIMIT_PER_MINUTE: number = 600;
}

/** Services with an admin-facing HTTP API. */
export class AdminApiEnvironment extends ServiceEnvironment {
  @AdminTokenSetting() ADMIN_TOKEN!: string;
}
