import { type DynamicModule, Module } from '@nestjs/common';
import type { MailOutboundEnvironment } from '../config/mail-outbound.environment.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { DeliveryController } from './delivery.controller.js';
import { DeliveryService } from './delivery.service.js';
import { OAuthAccessTokenReplica } from '@ensoras/messaging';
import { SentFolderLogins } from '../sent-folder/imap-credentials.js';
import { ReceivingPauses } from '../sent-folder/receiving-pauses.js';
import { SentCopies } from '../sent-folder/sent-copies.service.js';
import { ParkedReplies } from './parked-replies.service.js';
import { SMTP_LOGIN_OPTIONS, SmtpLogins, type SmtpLoginOptions } from './smtp-logins.js';
import { SmtpCredentials } from './smtp-credentials.js';
import { SmtpTransports } from './smtp-transports.js';
import { SentSettlements } from './sent-settlements.js';

@Module({})
export class DeliveryModule {
  static forRoot(environment: Pick<MailOutboundEnvironment, 'AUTH_FAILURES_BEFORE_PAUSE'>): DynamicModule {
    return {
      module: DeliveryModule,
      imports: [MetricsModule],
      controllers: [DeliveryController],
      providers: [
        { provide: SMTP_LOGIN_OPTIONS, useValue: { failuresBeforePause: environment.AUTH_FAILURES_BEFORE_PAUSE } satisfies SmtpLoginOptions },
        SmtpLogins,
        OAuthAccessTokenReplica,
        SmtpCredentials,
        SmtpTransports,
        SentFolderLogins,
        ReceivingPauses,
        SentCopies,
        SentSettlements,
        DeliveryService,
        ParkedReplies,
      ],
    };
  }
}
