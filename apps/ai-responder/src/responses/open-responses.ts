import { In, type EntityManager } from 'typeorm';
import { OPEN_STATUSES, PendingResponse } from './pending-response.entity.js';

/**
 * Cancels the ticket's scheduled or generating response inside the caller's transaction; a reply being written
 * when this commits is dropped when it is settled. Returns how many were cancelled.
 */
export async function cancelOpenResponses(manager: EntityManager, projectId: string, ticketId: string, reason: string): Promise<number> {
  const result = await manager.update(
    PendingResponse,
    { projectId, ticketId, status: In([...OPEN_STATUSES]) },
    { status: 'cancelled', lockedUntil: null, lastError: reason.slice(0, 1_000) },
  );
  return result.affected ?? 0;
}
