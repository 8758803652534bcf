import 'reflect-metadata';
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min, ValidateBy } from 'class-validator';

/** As every service's (ServiceEnvironment of @ensoras/runtime, not imported: see load-environment.ts). */
export const LOG_LEVELS = ['error', 'warn', 'log', 'debug', 'verbose'] as const;

/** dist/config/ → dist/web/, where the package's build writes the page (vite build). */
const BUILT_WEB_DIR = fileURLToPath(new URL('../web/', import.meta.url));

/**
 * The console's server: the page and the forwarding of /api/* to the services. No NATS, no database, no admin
 * token: the browser signs in with the services' ADMIN_TOKEN, which is forwarded untouched.
 */
export class ConsoleEnvironment {
  @Type(() => Number) @IsInt() @Min(1) @Max(65535) PORT: number = 3000;

  /** The interface HTTP binds: 0.0.0.0 (all, what a container needs) unless told; `npm start` passes 127.0.0.1. */
  @IsOptional() @Matches(/^[\w.:-]+$/, { message: 'HOST must be an address or host name to listen on, e.g. 127.0.0.1 or 0.0.0.0' })
  HOST: string = '0.0.0.0';

  /** The least severe level logged: error, warn, log (default), debug or verbose. */
  @IsOptional() @IsIn(LOG_LEVELS) LOG_LEVEL?: (typeof LOG_LEVELS)[number];

  /** /api/config/* goes here. */
  @IsServiceUrl('CHANNEL_CONFIG_URL') CHANNEL_CONFIG_URL: string = 'http://127.0.0.1:3001';

  /** /api/inbox/* goes here. */
  @IsServiceUrl('TICKETING_URL') TICKETING_URL: string = 'http://127.0.0.1:3002';

  /** /api/knowledge/* goes here. */
  @IsServiceUrl('AI_RESPONDER_URL') AI_RESPONDER_URL: string = 'http://127.0.0.1:3003';

  /** /api/ingest/* goes here. */
  @IsServiceUrl('MAIL_INGEST_URL') MAIL_INGEST_URL: string = 'http://127.0.0.1:3004';

  /** The built page (index.html and assets/); checked at start, so a console without its page does not start. */
  @IsString() @HasBuiltPage() CONSOLE_WEB_DIR: string = BUILT_WEB_DIR;
}

function IsServiceUrl(name: string) {
  return IsUrl(
    { require_tld: false, require_protocol: true, protocols: ['http', 'https'] },
    { message: `${name} must be an http(s) URL, e.g. http://127.0.0.1:3001` },
  );
}

function HasBuiltPage() {
  return ValidateBy({
    name: 'hasBuiltPage',
    validator: {
      validate: (value: unknown) => {
        if (typeof value !== 'string') return false;
        try {
          accessSync(join(value, 'index.html'), constants.R_OK);
          return true;
        } catch {
          return false;
        }
      },
      defaultMessage: (args) =>
        `CONSOLE_WEB_DIR must be the built web page; ${String(args?.value)} has no index.html (run \`npm run build\`)`,
    },
  });
}
