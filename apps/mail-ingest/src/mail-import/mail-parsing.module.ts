import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { InboundParserPoolOptions } from '@ensoras/mail';
import { MAIL_PARSER_OPTIONS, MailParser } from './mail-parser.js';

/** One parser pool for the service (the importer and quarantine retries share it); global so both can inject it. */
@Global()
@Module({})
export class MailParsingModule {
  static forRoot(options: InboundParserPoolOptions): DynamicModule {
    return {
      module: MailParsingModule,
      providers: [{ provide: MAIL_PARSER_OPTIONS, useValue: options }, MailParser],
      exports: [MailParser],
    };
  }
}
