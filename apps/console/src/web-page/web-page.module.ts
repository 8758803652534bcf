import { type DynamicModule, Module } from '@nestjs/common';
import { WEB_DIR, WebPageController } from './web-page.controller.js';

/** The page for every path nothing else answers; import it last, its catch-all route must come after the others. */
@Module({})
export class WebPageModule {
  static forRoot(webDir: string): DynamicModule {
    return {
      module: WebPageModule,
      controllers: [WebPageController],
      providers: [{ provide: WEB_DIR, useValue: webDir }],
    };
  }
}
