import { Module } from '@nestjs/common';
import { CheckpointsModule } from '../checkpoints/checkpoints.module.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { QuarantineModule } from '../quarantine/quarantine.module.js';
import { MailImporter } from './mail-importer.js';
import { MailReceivedEvents } from './mail-received.events.js';

@Module({
  imports: [CheckpointsModule, QuarantineModule, MetricsModule],
  providers: [MailImporter, MailReceivedEvents],
  exports: [MailImporter, MailReceivedEvents],
})
export class MailImportModule {}
