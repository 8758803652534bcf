import { type DynamicModule, Global, Module } from '@nestjs/common';
import { CheckpointsModule } from '../checkpoints/checkpoints.module.js';
import type { MailIngestEnvironment } from '../config/mail-ingest.environment.js';
import { MailImportModule } from '../mail-import/mail-import.module.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { OAuthAccessTokenReplica } from '@ensoras/messaging';
import { ImapCredentials } from './imap-credentials.js';
import { MAILBOX_WATCH_OPTIONS, MailboxAssignment } from './mailbox-assignment.service.js';
import { MailboxLeases } from './mailbox-leases.js';
import { MailboxPauses } from './mailbox-pauses.js';
import { MailboxStatusReports } from './mailbox-status-reports.js';

/** Global only so that the admin API's mailbox listing (quarantine-api.module.ts) can see MailboxAssignment. */
@Global()
@Module({})
export class MailboxesModule {
  static forRoot(environment: MailIngestEnvironment): DynamicModule {
    return {
      module: MailboxesModule,
      imports: [CheckpointsModule, MailImportModule, MetricsModule],
      providers: [
        { provide: MAILBOX_WATCH_OPTIONS, useValue: { pollIntervalMs: environment.POLL_INTERVAL_MS, authFailuresBeforePause: environment.AUTH_FAILURES_BEFORE_PAUSE } },
        OAuthAccessTokenReplica,
        ImapCredentials,
        MailboxLeases,
        MailboxStatusReports,
        MailboxPauses,
        MailboxAssignment,
      ],
      exports: [MailboxAssignment],
    };
  }
}
