import 'reflect-metadata';
import { loadEnvironment, startService } from '@ensoras/runtime';
import { AppModule } from './app.module.js';
import { MailIngestEnvironment } from './config/mail-ingest.environment.js';

const environment = loadEnvironment(MailIngestEnvironment);
await startService({ name: 'mail-ingest', module: AppModule.forRoot(environment), port: environment.PORT, host: environment.HOST, durableName: 'mail-ingest' });
