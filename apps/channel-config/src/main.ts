import 'reflect-metadata';
import { loadEnvironment, startService } from '@ensoras/runtime';
import { AppModule } from './app.module.js';
import { ChannelConfigEnvironment } from './config/channel-config.environment.js';
import { CHANNEL_CONFIG_JSON_BODY_LIMIT_BYTES } from './config/json-body-limit.js';

const environment = loadEnvironment(ChannelConfigEnvironment);
await startService({
  name: 'channel-config',
  module: AppModule.forRoot(environment),
  port: environment.PORT,
  host: environment.HOST,
  durableName: 'channel-config',
  jsonBodyLimitBytes: CHANNEL_CONFIG_JSON_BODY_LIMIT_BYTES,
});
