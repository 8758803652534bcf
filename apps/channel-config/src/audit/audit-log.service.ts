import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { AuditAction, AuditEntryView, ChangeActor } from '@ensoras/contracts';
import { currentActor } from '@ensoras/runtime';
import { AuditEntryEntity } from './audit-entry.entity.js';

@Injectable()
export class AuditLog {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Inside the change's transaction, so there is an entry exactly when there is a change. The actor is the caller of
   * the HTTP request being handled (set by the access guard), `system` for work outside a request.
   */
  async record(
    manager: EntityManager,
    entry: { projectId: string; action: AuditAction; changedFields: string[]; revision: number; at: Date },
  ): Promise<void> {
    const actor = currentActor();
    await manager.insert(AuditEntryEntity, {
      id: randomUUID(),
      ...entry,
      actorKind: actor.kind,
      actorId: actor.kind === 'token' ? actor.id : null,
      actorName: actor.kind === 'token' ? actor.name : null,
    });
  }

  /** Newest first. */
  async recent(projectId: string, limit: number): Promise<AuditEntryView[]> {
    const entries = await this.dataSource.manager.find(AuditEntryEntity, {
      where: { projectId },
      order: { at: 'DESC', revision: 'DESC' },
      take: limit,
    });
    return entries.map(({ id, action, changedFields, revision, at, ...actor }) => ({ id, action, changedFields, revision, at: at.toISOString(), actor: actorOf(actor) }));
  }
}

function actorOf({ actorKind, actorId, actorName }: Pick<AuditEntryEntity, 'actorKind' | 'actorId' | 'actorName'>): ChangeActor {
  if (actorKind === 'token') return { kind: 'token', id: actorId ?? '', name: actorName ?? '' };
  return { kind: actorKind };
}
