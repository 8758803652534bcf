import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { ChannelSettingsReplica } from '@ensoras/messaging';
import type { Subscription } from 'rxjs';
import { DataSource, IsNull, Not } from 'typeorm';
import { Delivery } from './delivery.entity.js';
import { DeliveryService } from './delivery.service.js';
import { SmtpLoginState } from './smtp-login-state.entity.js';
import { isSmtpPaused } from './smtp-login-decision.js';
import { MAX_CONNECTIONS_PER_PROJECT } from './smtp-transports.js';

/** How often parked mail is looked at; a new revision of a project's settings looks at once. */
const SWEEP_INTERVAL_MS = 2_000;

/**
 * Sends the mail DeliveryService parked (`held`, with its request), once the project's SMTP may log in again: when
 * its settings get a new revision (fixed password, or POST …/resume in channel-config), and after the back-off of a
 * rejected or failed try. A ticket's parked replies go one after another, oldest first, so they arrive in the order
 * they were written; different tickets go side by side, as many as the project's SMTP pool has connections. Every
 * replica sweeps; DeliveryService.sendParked claims each mail under its row lock, so each is sent once.
 */
@Injectable()
export class ParkedReplies implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ParkedReplies.name);
  private timer: NodeJS.Timeout | undefined;
  private subscription: Subscription | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private closing = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly deliveries: DeliveryService,
    private readonly replica: ChannelSettingsReplica,
  ) {}

  onApplicationBootstrap(): void {
    this.subscription = this.replica.changes.subscribe(({ projectId }) => void this.settingsChanged(projectId));
    this.timer = setInterval(() => this.kick(), SWEEP_INTERVAL_MS);
    this.timer.unref();
    this.kick();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.closing = true;
    clearInterval(this.timer);
    this.subscription?.unsubscribe();
    await this.running;
  }

  /** Sweeps now, or once more after the sweep that is running. */
  kick(): void {
    if (this.closing) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.sweep()
      .catch((error: unknown) => this.logger.warn(`Parked mail could not be swept: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** New settings may work where the old ones did not: what waits for a back-off goes now. */
  private async settingsChanged(projectId: string): Promise<void> {
    try {
      await this.dataSource
        .createQueryBuilder()
        .update(Delivery)
        .set({ retryAt: null })
        .where("project_id = :projectId AND status = 'held' AND retry_at IS NOT NULL", { projectId })
        .execute();
    } catch (error) {
      this.logger.warn(`Parked mail of ${projectId} could not be brought forward: ${error instanceof Error ? error.message : String(error)}`);
    }
    this.kick();
  }

  private async sweep(): Promise<void> {
    await this.replica.whenReady();
    const projects = await this.dataSource
      .createQueryBuilder(Delivery, 'delivery')
      .select('DISTINCT delivery.project_id', 'projectId')
      .where('delivery.request IS NOT NULL')
      .getRawMany<{ projectId: string }>();
    for (const { projectId } of projects) {
      if (this.closing) return;
      if (await this.paused(projectId)) continue;
      await this.sweepProject(projectId);
    }
  }

  /** Paused at the project's current revision: nothing of it is tried (sendParked would say the same, row by row). */
  private async paused(projectId: string): Promise<boolean> {
    const settings = this.replica.get(projectId);
    if (!settings) return false;
    return isSmtpPaused(await this.dataSource.manager.findOneBy(SmtpLoginState, { projectId }), settings.revision);
  }

  private async sweepProject(projectId: string): Promise<void> {
    const tickets = await this.dataSource
      .createQueryBuilder(Delivery, 'delivery')
      .select('delivery.ticket_id', 'ticketId')
      .where('delivery.project_id = :projectId AND delivery.request IS NOT NULL', { projectId })
      .groupBy('delivery.ticket_id')
      .orderBy('min(delivery.created_at)')
      .getRawMany<{ ticketId: string }>();
    const queue = tickets.map((ticket) => ticket.ticketId);
    const worker = async () => {
      for (let ticketId = queue.shift(); ticketId !== undefined && !this.closing; ticketId = queue.shift()) {
        try {
          await this.sweepTicket(projectId, ticketId);
        } catch (error) {
          this.logger.warn(`Parked mail of ticket ${ticketId} (${projectId}): ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(MAX_CONNECTIONS_PER_PROJECT, queue.length) }, worker));
  }

  /** The ticket's parked mail, oldest first, until one has to wait: a later reply never overtakes an earlier one. */
  private async sweepTicket(projectId: string, ticketId: string): Promise<void> {
    while (!this.closing) {
      const next = await this.dataSource.manager.findOne(Delivery, {
        select: { outboundMessageId: true },
        where: { projectId, ticketId, request: Not(IsNull()) },
        order: { createdAt: 'ASC', outboundMessageId: 'ASC' },
      });
      if (!next) return;
      if ((await this.deliveries.sendParked(next.outboundMessageId)) === 'waiting') return;
    }
  }
}
