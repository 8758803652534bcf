import { type DynamicModule, Module } from '@nestjs/common';
import { MESSAGING_ENTITIES, MessagingModule } from '@ensoras/messaging';
import { PersistenceModule } from '@ensoras/persistence';
import { ApiAccessModule, HealthModule, MessagingAdminModule } from '@ensoras/runtime';
import { AttachmentsModule } from './attachments/attachments.module.js';
import type { TicketingEnvironment } from './config/ticketing.environment.js';
import { DeliveryModule } from './delivery/delivery.module.js';
import { HandoffModule } from './handoff/handoff.module.js';
import { InboundModule } from './inbound/inbound.module.js';
import { ticketingSchema } from './migrations/schema.js';
import { RepliesModule } from './replies/replies.module.js';
import { ThreadReference } from './tickets/thread-reference.entity.js';
import { TicketMessage } from './tickets/ticket-message.entity.js';
import { Ticket } from './tickets/ticket.entity.js';
import { TicketsModule } from './tickets/tickets.module.js';
import { UnattachedMail } from './unattached/unattached-mail.entity.js';
import { UnattachedModule } from './unattached/unattached.module.js';

@Module({})
export class AppModule {
  static forRoot(environment: TicketingEnvironment): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PersistenceModule.forRoot({
          ...ticketingSchema(environment),
          entities: [...MESSAGING_ENTITIES, Ticket, TicketMessage, ThreadReference, UnattachedMail],
          migrationsAtStart: environment.MIGRATIONS_AT_START,
        }),
        MessagingModule.forRoot({ serviceName: 'ticketing', nats: environment }),
        HealthModule.forRoot(),
        ApiAccessModule.forRoot({ adminToken: environment.ADMIN_TOKEN, rateLimitPerMinute: environment.API_RATE_LIMIT_PER_MINUTE }),
        MessagingAdminModule.forRoot({ adminToken: environment.ADMIN_TOKEN }),
        TicketsModule,
        InboundModule,
        RepliesModule,
        DeliveryModule,
        HandoffModule,
        AttachmentsModule,
        UnattachedModule,
      ],
    };
  }
}
