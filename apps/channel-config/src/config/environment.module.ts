import { type DynamicModule, Module } from '@nestjs/common';
import { ChannelConfigEnvironment } from './channel-config.environment.js';

/** The validated environment, injectable by its class. */
@Module({})
export class EnvironmentModule {
  static forRoot(environment: ChannelConfigEnvironment): DynamicModule {
    return {
      module: EnvironmentModule,
      global: true,
      providers: [{ provide: ChannelConfigEnvironment, useValue: environment }],
      exports: [ChannelConfigEnvironment],
    };
  }
}
