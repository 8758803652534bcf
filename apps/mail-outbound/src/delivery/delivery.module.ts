import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { SecretBox, secretBoxFromEnvironment } from '@ensoras/secrets';
import type { MailOutboundEnvironment } from '../config/mail-outbound.environment.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { DeliveryController } from './delivery.controller.js';
import { DeliveryService } from './delivery.service.js';
import { OAuthAccessTokenReplica } from '@ensoras/messaging';
import { SmtpCredentials } from './smtp-credentials.js';
import { SmtpTransports } from './smtp-transports.js';

@Module({})
export class DeliveryModule {
  static forRoot(environment: Pick<MailOutboundEnvironment, 'SECRETS_KEY' | 'SECRETS_KEY_PREVIOUS' | 'DATA_DIR'>): DynamicModule {
    return {
      module: DeliveryModule,
      imports: [MetricsModule],
      controllers: [DeliveryController],
      providers: [
        {
          // Opens the SMTP passwords channel-config sealed; the same key (or the same DATA_DIR in development).
          provide: SecretBox,
          useFactory: () => secretBoxFromEnvironment(environment, (message) => new Logger('Secrets').warn(message)),
        },
        OAuthAccessTokenReplica,
        SmtpCredentials,
        SmtpTransports,
        DeliveryService,
      ],
    };
  }
}
