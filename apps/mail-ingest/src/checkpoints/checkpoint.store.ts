import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, type Repository } from 'typeorm';
import { MailboxCheckpoint } from './mailbox-checkpoint.entity.js';

export interface Checkpoint {
  uidValidity: string;
  lastUid: number;
}

/** The import position of each (project, mailbox). Only mail-ingest's watcher of that mailbox writes it. */
@Injectable()
export class CheckpointStore {
  constructor(@InjectRepository(MailboxCheckpoint) private readonly checkpoints: Repository<MailboxCheckpoint>) {}

  async load(projectId: string, mailbox: string): Promise<Checkpoint | null> {
    const row = await this.checkpoints.findOneBy({ projectId, mailbox });
    return row ? { uidValidity: row.uidValidity, lastUid: row.lastUid } : null;
  }

  /**
   * Starts the mailbox over under a (new) UIDVALIDITY: mail up to `lastUid` counts as imported (history the channel
   * does not import), everything above it is imported.
   */
  async reset(projectId: string, mailbox: string, uidValidity: string, lastUid = 0): Promise<Checkpoint> {
    await this.checkpoints.upsert({ projectId, mailbox, uidValidity, lastUid, updatedAt: new Date() }, ['projectId', 'mailbox']);
    return { uidValidity, lastUid };
  }

  /**
   * Records that `uid` is imported. Only ever moves forward and only within the same UIDVALIDITY, so a late write
   * from a watcher that just lost its lease cannot move a newer position back.
   */
  async advance(projectId: string, mailbox: string, uidValidity: string, uid: number): Promise<void> {
    await this.checkpoints.update(
      { projectId, mailbox, uidValidity, lastUid: LessThan(uid) },
      { lastUid: uid, updatedAt: new Date() },
    );
  }
}
