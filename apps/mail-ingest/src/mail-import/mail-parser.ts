import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { InboundParserPool, type InboundChannel, type InboundMail, type InboundParserPoolOptions, type ParseInboundOptions } from '@ensoras/mail';

export const MAIL_PARSER_OPTIONS = Symbol('MAIL_PARSER_OPTIONS');

/** The parse failed because the service is shutting down: not the mail's fault, so it must not be quarantined. */
export class ParserClosedError extends Error {
  constructor() {
    super('The mail parser is shutting down');
    this.name = 'ParserClosedError';
  }
}

/**
 * Parses received mail off the event loop: in worker threads, each parse with a time limit (PARSE_TIMEOUT_MS,
 * PARSE_THREADS). A parse over the limit rejects with ParseTimeoutError (reason `parse_timeout`).
 */
@Injectable()
export class MailParser implements OnApplicationShutdown {
  private readonly pool: InboundParserPool;
  private closing = false;

  constructor(@Inject(MAIL_PARSER_OPTIONS) options: InboundParserPoolOptions) {
    this.pool = new InboundParserPool(options);
  }

  get timeoutMs(): number {
    return this.pool.timeoutMs;
  }

  /** `mailbox`: a mailbox's backlog does not hold up another mailbox's mail (their parses take turns). */
  async parse(raw: Buffer, channel: InboundChannel, options: ParseInboundOptions | undefined, mailbox: string): Promise<InboundMail> {
    if (this.closing) throw new ParserClosedError();
    try {
      return await this.pool.parse(raw, channel, options, mailbox);
    } catch (error) {
      throw this.closing ? new ParserClosedError() : error;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    await this.pool.close();
  }
}
