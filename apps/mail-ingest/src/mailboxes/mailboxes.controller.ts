import { Controller, Get, UseGuards } from '@nestjs/common';
import { AdminTokenGuard } from '@ensoras/runtime';
import { MailboxAssignment } from './mailbox-assignment.service.js';
import type { MailboxStatus } from './mailbox-watcher.js';

/**
 * Every mailbox this replica watches, with its state and last error: tenant data (project ids, hosts, errors),
 * so behind the admin token rather than in the public /health.
 */
@Controller('v1/mailboxes')
@UseGuards(AdminTokenGuard)
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
