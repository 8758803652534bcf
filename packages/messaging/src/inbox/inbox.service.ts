import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ProcessedEvent } from './processed-event.entity.js';

@Injectable()
export class Inbox {
  /**
   * Claims an event for a consumer inside the caller's transaction. False means it was handled before: skip it.
   * The claim commits or rolls back together with the handling.
   */
  async claim(manager: EntityManager, consumer: string, eventId: string): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .insert()
      .into(ProcessedEvent)
      .values({ consumer, eventId })
      .orIgnore()
      .returning(['eventId'])
      .execute();
    return (result.raw as unknown[]).length > 0;
  }
}
