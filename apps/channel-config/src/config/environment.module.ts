import { type DynamicModule, Module } from '@nestjs/common';
import { ADMIN_TOKEN, AdminTokenGuard } from '@ensoras/runtime';
import { ChannelConfigEnvironment } from './channel-config.environment.js';

/** The validated environment, injectable by its class, and the admin token the guard compares against. */
@Module({})
export class EnvironmentModule {
  static forRoot(environment: ChannelConfigEnvironment): DynamicModule {
    return {
      module: EnvironmentModule,
      global: true,
      providers: [
        { provide: ChannelConfigEnvironment, useValue: environment },
        { provide: ADMIN_TOKEN, useValue: environment.ADMIN_TOKEN },
        AdminTokenGuard,
      ],
      exports: [ChannelConfigEnvironment, ADMIN_TOKEN, AdminTokenGuard],
    };
  }
}
