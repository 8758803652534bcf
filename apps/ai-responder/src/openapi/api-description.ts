import type { OpenAPIObject } from '@nestjs/swagger';
import { DESCRIPTION_ENVIRONMENT, describeService, loadEnvironment } from '@ensoras/runtime';
import { AppModule } from '../app.module.js';
import { AiResponderEnvironment } from '../config/ai-responder.environment.js';

/** ai-responder's OpenAPI document, as /docs-json serves it; kept in docs/openapi/ai-responder.json (`npm run openapi`). */
export function describeApi(): Promise<OpenAPIObject> {
  return describeService({ name: 'ai-responder', module: AppModule.forRoot(loadEnvironment(AiResponderEnvironment, DESCRIPTION_ENVIRONMENT)) });
}
