import type { OpenAPIObject } from '@nestjs/swagger';
import { DESCRIPTION_ENVIRONMENT, describeService, loadEnvironment } from '@ensoras/runtime';
import { AppModule } from '../app.module.js';
import { MailOutboundEnvironment } from '../config/mail-outbound.environment.js';

/** mail-outbound's OpenAPI document, as /docs-json serves it; kept in docs/openapi/mail-outbound.json (`npm run openapi`). */
export function describeApi(): Promise<OpenAPIObject> {
  return describeService({ name: 'mail-outbound', module: AppModule.forRoot(loadEnvironment(MailOutboundEnvironment, DESCRIPTION_ENVIRONMENT)) });
}
