import type { OpenAPIObject } from '@nestjs/swagger';
import { DESCRIPTION_ENVIRONMENT, describeService, loadEnvironment } from '@ensoras/runtime';
import { AppModule } from '../app.module.js';
import { TicketingEnvironment } from '../config/ticketing.environment.js';

/** ticketing's OpenAPI document, as /docs-json serves it; kept in docs/openapi/ticketing.json (`npm run openapi`). */
export function describeApi(): Promise<OpenAPIObject> {
  return describeService({ name: 'ticketing', module: AppModule.forRoot(loadEnvironment(TicketingEnvironment, DESCRIPTION_ENVIRONMENT)) });
}
