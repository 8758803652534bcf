import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { TicketMessageView, TicketView } from '@ensoras/contracts';
import { htmlToPlainText } from '@ensoras/mail';
import type { EntityManager, Repository } from 'typeorm';
import { ConversationMessage } from './conversation-message.entity.js';

/** Keeps the conversation read model: every ticket message, inbound and outbound, once. */
@Injectable()
export class ConversationLog {
  constructor(@InjectRepository(ConversationMessage) private readonly messages: Repository<ConversationMessage>) {}

  /**
   * Records a message inside the caller's transaction. False when it was recorded before (a redelivered event),
   * which tells the caller that everything else about it has been done too.
   */
  async record(manager: EntityManager, projectId: string, ticket: TicketView, message: TicketMessageView): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .insert()
      .into(ConversationMessage)
      .values({
        projectId,
        messageId: message.id,
        ticketId: ticket.id,
        direction: message.direction,
        author: message.author,
        from: message.from ?? null,
        subject: message.subject ?? '',
        ticketSubject: ticket.subject ?? '',
        text: readableText(message),
        newText: newPart(message),
        kind: message.kind ?? 'normal',
        createdAt: new Date(message.createdAt),
      })
      .orIgnore()
      // TypeORM takes property names here; a column name would be dropped silently (and RETURNING with it).
      .returning(['messageId'])
      .execute();
    return (result.raw as unknown[]).length > 0;
  }

  /** The ticket's messages, oldest first. Reads outside any transaction (generation runs outside them). */
  history(projectId: string, ticketId: string): Promise<ConversationMessage[]> {
    return this.messages
      .createQueryBuilder('m')
      .where('m.projectId = :projectId AND m.ticketId = :ticketId', { projectId, ticketId })
      .orderBy('m.createdAt', 'ASC')
      .addOrderBy('m.arrival', 'ASC')
      .getMany();
  }
}

/**
 * The new part as mail-ingest extracted it (ticketing passes it on); null when the event has none or it is blank
 * (an event from before, an HTML-only mail): the prompt then cuts the quoted history from the text itself.
 */
function newPart(message: TicketMessageView): string | null {
  return typeof message.newText === 'string' && message.newText.trim() !== '' ? message.newText : null;
}

/** HTML-only mail still has something to read. */
function readableText(message: TicketMessageView): string {
  if (message.text?.trim()) return message.text;
  return message.html ? htmlToPlainText(message.html) : '';
}
