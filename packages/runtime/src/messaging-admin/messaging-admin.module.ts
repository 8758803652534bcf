import { type DynamicModule, Module } from '@nestjs/common';
import { ADMIN_TOKEN, AdminTokenGuard } from '../admin-token.guard.js';
import { DeadLettersAdminController } from './dead-letters-admin.controller.js';
import { OutboxAdminController } from './outbox-admin.controller.js';

@Module({})
export class MessagingAdminModule {
  /**
   * Parked outbox rows and dead letters, behind `Authorization: Bearer <ADMIN_TOKEN>`. Without a token the routes
   * are not registered at all and answer 404, like the other optional admin routes.
   */
  static forRoot(options: { adminToken?: string }): DynamicModule {
    if (!options.adminToken) return { module: MessagingAdminModule };
    return {
      module: MessagingAdminModule,
      controllers: [OutboxAdminController, DeadLettersAdminController],
      providers: [{ provide: ADMIN_TOKEN, useValue: options.adminToken }, AdminTokenGuard],
    };
  }
}
