import { Module } from '@nestjs/common';
import { TicketInboxService } from './ticket-inbox.service.js';
import { TicketsController } from './tickets.controller.js';

/** The inbox API over tickets and their messages. */
@Module({ controllers: [TicketsController], providers: [TicketInboxService] })
export class TicketsModule {}
