import type { OpenAPIObject } from '@nestjs/swagger';
import { DESCRIPTION_ENVIRONMENT, describeService, loadEnvironment } from '@ensoras/runtime';
import { AppModule } from '../app.module.js';
import { MailIngestEnvironment } from '../config/mail-ingest.environment.js';

/** mail-ingest's OpenAPI document, as /docs-json serves it; kept in docs/openapi/mail-ingest.json (`npm run openapi`). */
export function describeApi(): Promise<OpenAPIObject> {
  return describeService({ name: 'mail-ingest', module: AppModule.forRoot(loadEnvironment(MailIngestEnvironment, DESCRIPTION_ENVIRONMENT)) });
}
