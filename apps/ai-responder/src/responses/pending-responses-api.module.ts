import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { onlyWithAdminToken } from '@ensoras/runtime';
import { PendingResponse } from './pending-response.entity.js';
import { PendingResponsesController } from './pending-responses.controller.js';

@Module({})
export class PendingResponsesApiModule {
  /** The listing of pending responses (scopes on its controller); without ADMIN_TOKEN the route is not there (404). */
  static forRoot(options: { adminToken?: string }): DynamicModule {
    return onlyWithAdminToken(options.adminToken, {
      module: PendingResponsesApiModule,
      imports: [TypeOrmModule.forFeature([PendingResponse])],
      controllers: [PendingResponsesController],
    });
  }
}
