import { type DynamicModule, Module } from '@nestjs/common';
import { MESSAGING_ENTITIES, MessagingModule } from '@ensoras/messaging';
import { PersistenceModule } from '@ensoras/persistence';
import { SecretsModule } from '@ensoras/secrets';
import { ApiAccessModule, HealthModule, MessagingAdminModule } from '@ensoras/runtime';
import type { MailOutboundEnvironment } from './config/mail-outbound.environment.js';
import { Delivery } from './delivery/delivery.entity.js';
import { DeliveryModule } from './delivery/delivery.module.js';
import { SmtpLoginState } from './delivery/smtp-login-state.entity.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { mailOutboundSchema } from './migrations/schema.js';

@Module({})
export class AppModule {
  static forRoot(environment: MailOutboundEnvironment): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PersistenceModule.forRoot({
          ...mailOutboundSchema(environment),
          entities: [...MESSAGING_ENTITIES, Delivery, SmtpLoginState],
          migrationsAtStart: environment.MIGRATIONS_AT_START,
        }),
        MessagingModule.forRoot({ serviceName: 'mail-outbound', nats: environment }),
        HealthModule.forRoot(),
        SecretsModule.forRoot(environment),
        ApiAccessModule.forRoot({ adminToken: environment.ADMIN_TOKEN, rateLimitPerMinute: environment.API_RATE_LIMIT_PER_MINUTE }),
        MessagingAdminModule.forRoot({ adminToken: environment.ADMIN_TOKEN }),
        MetricsModule,
        DeliveryModule.forRoot(environment),
      ],
    };
  }
}
