import { Module } from '@nestjs/common';
import { InboundMailService } from './inbound-mail.service.js';
import { MailReceivedController } from './mail-received.controller.js';

/** Received mail → threaded ticket messages. */
@Module({ controllers: [MailReceivedController], providers: [InboundMailService] })
export class InboundModule {}
