import { type DynamicModule, Module } from '@nestjs/common';
import { MESSAGING_ENTITIES, MessagingModule } from '@ensoras/messaging';
import { PersistenceModule } from '@ensoras/persistence';
import { SecretsModule } from '@ensoras/secrets';
import { ApiAccessModule, HealthModule, MessagingAdminModule } from '@ensoras/runtime';
import { MailboxCheckpoint } from './checkpoints/mailbox-checkpoint.entity.js';
import type { MailIngestEnvironment } from './config/mail-ingest.environment.js';
import { MailParsingModule } from './mail-import/mail-parsing.module.js';
import { MailboxPause } from './mailboxes/mailbox-pause.entity.js';
import { MailboxesModule } from './mailboxes/mailboxes.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { mailIngestSchema } from './migrations/schema.js';
import { QuarantineApiModule } from './quarantine/quarantine-api.module.js';
import { QuarantinedMail } from './quarantine/quarantined-mail.entity.js';

@Module({})
export class AppModule {
  static forRoot(environment: MailIngestEnvironment): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PersistenceModule.forRoot({
          ...mailIngestSchema(environment),
          entities: [...MESSAGING_ENTITIES, MailboxCheckpoint, QuarantinedMail, MailboxPause],
          migrationsAtStart: environment.MIGRATIONS_AT_START,
        }),
        MessagingModule.forRoot({ serviceName: 'mail-ingest', nats: environment }),
        HealthModule.forRoot(),
        SecretsModule.forRoot(environment),
        ApiAccessModule.forRoot({ adminToken: environment.ADMIN_TOKEN, rateLimitPerMinute: environment.API_RATE_LIMIT_PER_MINUTE }),
        MessagingAdminModule.forRoot({ adminToken: environment.ADMIN_TOKEN }),
        MetricsModule,
        MailParsingModule.forRoot({ timeoutMs: environment.PARSE_TIMEOUT_MS, threads: environment.PARSE_THREADS }),
        MailboxesModule.forRoot(environment),
        QuarantineApiModule.forRoot({ adminToken: environment.ADMIN_TOKEN }),
      ],
    };
  }
}
