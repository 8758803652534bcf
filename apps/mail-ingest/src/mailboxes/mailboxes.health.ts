import type { Provider } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorFunction } from '@nestjs/terminus';
import { EXTRA_HEALTH_CHECKS } from '@ensoras/runtime';
import { MailboxAssignment } from './mailbox-assignment.service.js';

/**
 * Adds `mailboxes` to /health: every mailbox this replica watches, with its state and last error. Always up: a
 * customer's broken mailbox (wrong password, server down) is the customer's to fix, and must not make the platform
 * restart this service and with it everybody else's mailboxes.
 */
export const MAILBOXES_HEALTH_CHECK: Provider = {
  provide: EXTRA_HEALTH_CHECKS,
  inject: [HealthIndicatorService, MailboxAssignment],
  useFactory: (health: HealthIndicatorService, assignment: MailboxAssignment): HealthIndicatorFunction[] => [
    () => {
      const mailboxes = assignment.statuses();
      return health.check('mailboxes').up({
        replicaId: assignment.replicaId,
        watched: mailboxes.length,
        failing: mailboxes.filter((mailbox) => mailbox.lastError !== null).length,
        mailboxes,
      });
    },
  ],
};
