import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '@ensoras/runtime';
import { MailboxAssignment } from './mailbox-assignment.service.js';
import type { MailboxStatus } from './mailbox-watcher.js';

/**
 * Every mailbox this replica watches, with its state and last error: tenant data (project ids, hosts, errors),
 * of every project, so for the ADMIN_TOKEN only rather than in the public /health.
 */
@ApiTags('Mailboxes')
@Controller('v1/mailboxes')
@AdminOnly()
export class MailboxesController {
  constructor(private readonly assignment: MailboxAssignment) {}

  @Get()
  @ApiOperation({ summary: 'Every mailbox this replica watches, with its state and last error' })
  @ApiOkResponse({ description: '`{ replicaId, watched, failing, mailboxes }`' })
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
