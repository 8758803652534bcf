import { type DynamicModule, Module } from '@nestjs/common';
import { onlyWithAdminToken } from '@ensoras/runtime';
import { MailImportModule } from '../mail-import/mail-import.module.js';
import { MailboxesController } from '../mailboxes/mailboxes.controller.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { QuarantineRetry } from './quarantine-retry.service.js';
import { QuarantineController } from './quarantine.controller.js';
import { QuarantineModule } from './quarantine.module.js';

@Module({})
export class QuarantineApiModule {
  /**
   * mail-ingest's admin API (quarantine and the state of the watched mailboxes). ADMIN_TOKEN is optional here:
   * without it the routes are not registered at all and answer 404.
   */
  static forRoot(options: { adminToken?: string }): DynamicModule {
    return onlyWithAdminToken(options.adminToken, {
      module: QuarantineApiModule,
      imports: [QuarantineModule, MailImportModule, MetricsModule],
      controllers: [QuarantineController, MailboxesController],
      providers: [QuarantineRetry],
    });
  }
}
