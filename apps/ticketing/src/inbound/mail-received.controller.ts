import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { MailReceived, type EventEnvelope, type MailReceivedPayload } from '@ensoras/contracts';
import { EnvelopesOf, inBatchesOf } from '@ensoras/messaging';
import { InboundMailService } from './inbound-mail.service.js';

/**
 * Mail of one project that queued up (a mailbox's backlog, a reply storm) is recorded up to this many at a time, in
 * one transaction; a single mail goes alone, at once. Events are at most 512 KiB: a batch stays within 25 MiB.
 */
const MAILS_PER_TRANSACTION = 50;

@Controller()
export class MailReceivedController {
  constructor(private readonly inbound: InboundMailService) {}

  /**
   * Returning acknowledges the batch; a throw (database trouble, a concurrent conflict, one bad event) has the
   * transport handle its events again one by one, each retried or dead-lettered on its own.
   * `<string>`: the pattern is a wildcard subject, not a key of Nest's typed event map.
   */
  @EventPattern<string>(MailReceived.anyProject, inBatchesOf(MAILS_PER_TRANSACTION))
  async onMailReceived(@Payload(new EnvelopesOf(MailReceived)) envelopes: Array<EventEnvelope<MailReceivedPayload>>): Promise<void> {
    await this.inbound.receiveMany(envelopes);
  }
}
