import 'reflect-metadata';
import { loadEnvironment, startService } from '@ensoras/runtime';
import { AppModule } from './app.module.js';
import { MailOutboundEnvironment } from './config/mail-outbound.environment.js';

const environment = loadEnvironment(MailOutboundEnvironment);
await startService({ name: 'mail-outbound', module: AppModule.forRoot(environment), port: environment.PORT, host: environment.HOST, durableName: 'mail-outbound' });
