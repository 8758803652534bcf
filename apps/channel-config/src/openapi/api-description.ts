import type { OpenAPIObject } from '@nestjs/swagger';
import { DESCRIPTION_ENVIRONMENT, describeService, loadEnvironment } from '@ensoras/runtime';
import { AppModule } from '../app.module.js';
import { ChannelConfigEnvironment } from '../config/channel-config.environment.js';

/** channel-config's OpenAPI document, as /docs-json serves it; kept in docs/openapi/channel-config.json (`npm run openapi`). */
export function describeApi(): Promise<OpenAPIObject> {
  return describeService({ name: 'channel-config', module: AppModule.forRoot(loadEnvironment(ChannelConfigEnvironment, DESCRIPTION_ENVIRONMENT)) });
}
