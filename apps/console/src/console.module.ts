import { type DynamicModule, Module } from '@nestjs/common';
import type { ConsoleEnvironment } from './config/console.environment.js';
import { HealthController } from './health/health.controller.js';
import { WebPageModule } from './web-page/web-page.module.js';

/** The Nest routes: the probes, then the page. /api/* is forwarded before any route is looked at (console-app.ts). */
@Module({})
export class ConsoleModule {
  static forRoot(environment: ConsoleEnvironment): DynamicModule {
    return {
      module: ConsoleModule,
      controllers: [HealthController],
      imports: [WebPageModule.forRoot(environment.CONSOLE_WEB_DIR)],
    };
  }
}
