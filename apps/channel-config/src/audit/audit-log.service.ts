import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { AuditAction, AuditEntryView } from '@ensoras/contracts';
import { AuditEntryEntity } from './audit-entry.entity.js';

@Injectable()
export class AuditLog {
  constructor(private readonly dataSource: DataSource) {}

  /** Inside the change's transaction, so there is an entry exactly when there is a change. */
  async record(
    manager: EntityManager,
    entry: { projectId: string; action: AuditAction; changedFields: string[]; revision: number; at: Date },
  ): Promise<void> {
    await manager.insert(AuditEntryEntity, { id: randomUUID(), ...entry });
  }

  /** Newest first. */
  async recent(projectId: string, limit: number): Promise<AuditEntryView[]> {
    const entries = await this.dataSource.manager.find(AuditEntryEntity, {
      where: { projectId },
      order: { at: 'DESC', revision: 'DESC' },
      take: limit,
    });
    return entries.map(({ id, action, changedFields, revision, at }) => ({ id, action, changedFields, revision, at: at.toISOString() }));
  }
}
