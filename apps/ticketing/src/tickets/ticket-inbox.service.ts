import { Injectable, NotFoundException } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { DataSource } from 'typeorm';
import type { TicketDetailView, TicketPage, TicketStatus } from '@ensoras/contracts';
import { newestFirstPage } from '@ensoras/runtime';
import { TicketMessage } from './ticket-message.entity.js';
import { Ticket } from './ticket.entity.js';
import { toTicketMessageView, toTicketView } from './ticket-views.js';

/** Read side of the inbox API. */
@Injectable()
export class TicketInboxService {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Newest first; keyset pagination on (created_at, id), so new tickets never shift or repeat a page. With statuses,
   * only tickets in one of them (the index on project, status, created_at, id serves each).
   */
  async list(projectId: string, options: { limit: number; cursor?: string; status?: readonly TicketStatus[] }): Promise<TicketPage> {
    const query = this.dataSource
      .getRepository(Ticket)
      .createQueryBuilder('t')
      .where('t.project_id = :projectId', { projectId });
    const statuses = options.status ?? [];
    if (statuses.length === 1) query.andWhere('t.status = :status', { status: statuses[0] });
    else if (statuses.length > 1) query.andWhere('t.status IN (:...statuses)', { statuses });
    return newestFirstPage(query, 't', options, toTicketView);
  }

  /** 404 for an unknown id and for another project's ticket alike. */
  async detail(projectId: string, ticketId: string): Promise<TicketDetailView> {
    const ticket = isUUID(ticketId) ? await this.dataSource.getRepository(Ticket).findOneBy({ id: ticketId, projectId }) : null;
    if (!ticket) throw new NotFoundException(`Ticket ${ticketId} not found`);
    const messages = await this.dataSource.getRepository(TicketMessage).find({
      where: { ticketId: ticket.id },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
    return { ...toTicketView(ticket), messages: messages.map(toTicketMessageView) };
  }
}
