import { type DynamicModule, Module } from '@nestjs/common';
import { onlyWithAdminToken } from '../access/admin-token.js';
import { DeadLettersAdminController } from './dead-letters-admin.controller.js';
import { OutboxAdminController } from './outbox-admin.controller.js';

@Module({})
export class MessagingAdminModule {
  /**
   * Parked outbox rows and dead letters, for the ADMIN_TOKEN only (@AdminOnly; the app imports ApiAccessModule).
   * Without a token the routes are not registered at all and answer 404, like the other optional admin routes.
   */
  static forRoot(options: { adminToken?: string }): DynamicModule {
    return onlyWithAdminToken(options.adminToken, {
      module: MessagingAdminModule,
      controllers: [OutboxAdminController, DeadLettersAdminController],
    });
  }
}
