import { type DynamicModule, Global, Logger, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { EXTRA_HEALTH_CHECKS } from '@ensoras/runtime';
import { loadSecretsKey, SecretBox } from '@ensoras/secrets';
import { CheckpointsModule } from '../checkpoints/checkpoints.module.js';
import type { MailIngestEnvironment } from '../config/mail-ingest.environment.js';
import { MailImportModule } from '../mail-import/mail-import.module.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { MAILBOX_WATCH_OPTIONS, MailboxAssignment } from './mailbox-assignment.service.js';
import { MailboxLeases } from './mailbox-leases.js';
import { MAILBOXES_HEALTH_CHECK } from './mailboxes.health.js';

/** Global only so that the shared /health controller can see the EXTRA_HEALTH_CHECKS it exports. */
@Global()
@Module({})
export class MailboxesModule {
  static forRoot(environment: MailIngestEnvironment): DynamicModule {
    return {
      module: MailboxesModule,
      imports: [TerminusModule, CheckpointsModule, MailImportModule, MetricsModule],
      providers: [
        {
          provide: SecretBox,
          useFactory: () => {
            const logger = new Logger('Secrets');
            // DATA_DIR itself, not the service's sub-folder: in development every service shares one generated key.
            return new SecretBox(loadSecretsKey(environment.SECRETS_KEY, environment.DATA_DIR, (message) => logger.warn(message)));
          },
        },
        { provide: MAILBOX_WATCH_OPTIONS, useValue: { pollIntervalMs: environment.POLL_INTERVAL_MS } },
        MailboxLeases,
        MailboxAssignment,
        MAILBOXES_HEALTH_CHECK,
      ],
      exports: [EXTRA_HEALTH_CHECKS],
    };
  }
}
