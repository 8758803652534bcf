import 'reflect-metadata';
import { loadEnvironment, startService } from '@ensoras/runtime';
import { AppModule } from './app.module.js';
import { AiResponderEnvironment } from './config/ai-responder.environment.js';
import { KNOWLEDGE_JSON_BODY_LIMIT_BYTES } from './knowledge/knowledge-limits.js';

const environment = loadEnvironment(AiResponderEnvironment);
await startService({ name: 'ai-responder', module: AppModule.forRoot(environment), port: environment.PORT, host: environment.HOST, durableName: 'ai-responder', jsonBodyLimitBytes: KNOWLEDGE_JSON_BODY_LIMIT_BYTES });
