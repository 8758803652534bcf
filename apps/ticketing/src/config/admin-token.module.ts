import { type DynamicModule, Global, Module } from '@nestjs/common';
import { ADMIN_TOKEN } from '@ensoras/runtime';

/** Makes ADMIN_TOKEN available to AdminTokenGuard in every feature module. */
@Global()
@Module({})
export class AdminTokenModule {
  static forRoot(token: string): DynamicModule {
    return { module: AdminTokenModule, providers: [{ provide: ADMIN_TOKEN, useValue: token }], exports: [ADMIN_TOKEN] };
  }
}
