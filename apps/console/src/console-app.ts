import 'reflect-metadata';
import type { Server } from 'node:net';
import { Logger, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { LOG_LEVELS, type ConsoleEnvironment } from './config/console.environment.js';
import { ConsoleModule } from './console.module.js';
import { apiProxy } from './proxy/api-proxy.js';
import { apiRoutesOf } from './proxy/api-routes.js';
import { securityHeaders } from './web-page/security-headers.js';
import { useWebAssets } from './web-page/web-assets.js';

/**
 * The console's server, listening: one origin for the page and the APIs it calls. Not startService: that parses
 * JSON bodies (the proxy must stream them untouched) and holds the port for a database and NATS the console lacks.
 * The order is the order requests meet: headers, /api/* forwarded, files of the page, then the Nest routes
 * (/health/*, and the page for every other path).
 */
export async function startConsole(environment: ConsoleEnvironment): Promise<NestExpressApplication> {
  const logger = new Logger('console');
  const app = await NestFactory.create<NestExpressApplication>(ConsoleModule.forRoot(environment), {
    bodyParser: false,
    logger: loggerLevels(environment.LOG_LEVEL),
  });
  app.disable('x-powered-by');
  app.use(securityHeaders);
  app.use(apiProxy(apiRoutesOf(environment)));
  useWebAssets(app, environment.CONSOLE_WEB_DIR);
  // SIGTERM: stop accepting, let requests in flight (forwarded uploads too) finish, exit.
  app.enableShutdownHooks();
  await app.listen(environment.PORT, environment.HOST);
  logger.log(`console listening on ${listeningAddress(app)}`);
  return app;
}

/** Where the HTTP server really listens, as the socket reports it (`http://[::]:3000` when bound to all of IPv6). */
function listeningAddress(app: NestExpressApplication): string {
  const address = (app.getHttpServer() as Server).address();
  if (address === null || typeof address === 'string') return String(address);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

/** LOG_LEVEL names the least severe level that is logged; the environment class has validated it. */
function loggerLevels(level: ConsoleEnvironment['LOG_LEVEL']): LogLevel[] {
  const index = LOG_LEVELS.indexOf(level ?? 'log');
  return ['fatal', ...LOG_LEVELS.slice(0, index + 1)];
}
