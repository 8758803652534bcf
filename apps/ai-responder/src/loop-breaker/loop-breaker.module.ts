import { Module } from '@nestjs/common';
import { LoopBreaker } from './loop-breaker.service.js';
import { TicketUpdatedController } from './ticket-updated.controller.js';

/** Counting AI replies, handing tickets off at the limits, and remembering tickets a human holds until given back. */
@Module({ controllers: [TicketUpdatedController], providers: [LoopBreaker], exports: [LoopBreaker] })
export class LoopBreakerModule {}
