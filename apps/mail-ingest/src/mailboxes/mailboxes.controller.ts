import { Controller, Get } from '@nestjs/common';
import { AdminOnly } from '@ensoras/runtime';
import { MailboxAssignment } from './mailbox-assignment.service.js';
import type { MailboxStatus } from './mailbox-watcher.js';

/**
 * Every mailbox this replica watches, with its state and last error: tenant data (project ids, hosts, errors),
 * of every project, so for the ADMIN_TOKEN only rather than in the public /health.
 */
@Controller('v1/mailboxes')
@AdminOnly()
export class MailboxesController {
  constructor(private readonly assignment: MailboxAssignment) {}

  @Get()
  list(): { replicaId: string; watched: number; failing: number; mailboxes: MailboxStatus[] } {
    const mailboxes = this.assignment.statuses();
    return {
      replicaId: this.assignment.replicaId,
      watched: mailboxes.length,
      failing: mailboxes.filter((mailbox) => mailbox.lastError !== null).length,
      mailboxes,
    };
  }
}
