import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { OpenAPIObject } from '@nestjs/swagger';
import { apiDocumentOf } from './api-document.js';

/**
 * The environment a service's modules are built with for its description: the required settings with values that
 * are never used (preview mode connects nowhere). Fixed, not process.env, so the document is the same everywhere.
 */
export const DESCRIPTION_ENVIRONMENT: Readonly<Record<string, string>> = Object.freeze({
  NATS_URL: 'nats://127.0.0.1:4222',
  ADMIN_TOKEN: 'only-for-the-api-description',
});

export interface ServiceDescriptionOptions {
  /** The service's name, as startService is given it. */
  name: string;
  module: Parameters<typeof NestFactory.create>[0];
}

/**
 * The service's OpenAPI document without running it: Nest's preview mode reads the modules and their controllers
 * but creates no provider, so nothing connects to PostgreSQL or NATS. For the generator (`npm run openapi`) and
 * the test that keeps docs/openapi/ in step with the code.
 */
export async function describeService(options: ServiceDescriptionOptions): Promise<OpenAPIObject> {
  const app: INestApplication = await NestFactory.create(options.module, { preview: true, logger: false, abortOnError: false });
  try {
    return apiDocumentOf(app, options.name);
  } finally {
    await app.close();
  }
}
