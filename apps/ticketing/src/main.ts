import 'reflect-metadata';
import { loadEnvironment, startService } from '@ensoras/runtime';
import { AppModule } from './app.module.js';
import { TicketingEnvironment } from './config/ticketing.environment.js';
import { TICKETING_JSON_BODY_LIMIT_BYTES } from './config/json-body-limit.js';

const environment = loadEnvironment(TicketingEnvironment);
await startService({
  name: 'ticketing',
  module: AppModule.forRoot(environment),
  port: environment.PORT,
  host: environment.HOST,
  durableName: 'ticketing',
  jsonBodyLimitBytes: TICKETING_JSON_BODY_LIMIT_BYTES,
});
