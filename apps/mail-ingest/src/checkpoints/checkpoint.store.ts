import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, type Repository } from 'typeorm';
import { MailboxCheckpoint } from './mailbox-checkpoint.entity.js';

/** The part of a mailbox's history still to import: the UIDs above `uid` up to and including `end`. */
export interface Backfill {
  uid: number;
  end: number;
}

export interface Checkpoint {
  uidValidity: string;
  /** New mail: every UID up to here is imported. */
  lastUid: number;
  /** History below where watching began, still being imported; null when none is left. */
  backfill: Backfill | null;
}

/** Where a mailbox read for the first time starts: history above `historyFrom` up to `liveFrom`, new mail above it. */
export interface StartingPoint {
  historyFrom: number;
  liveFrom: number;
}

/** The import position of each (project, mailbox). Only mail-ingest's watcher of that mailbox writes it. */
@Injectable()
export class CheckpointStore {
  constructor(@InjectRepository(MailboxCheckpoint) private readonly checkpoints: Repository<MailboxCheckpoint>) {}

  async load(projectId: string, mailbox: string): Promise<Checkpoint | null> {
    const row = await this.checkpoints.findOneBy({ projectId, mailbox });
    if (!row) return null;
    const backfill = row.backfillUid !== null && row.backfillEnd !== null && row.backfillUid < row.backfillEnd ? { uid: row.backfillUid, end: row.backfillEnd } : null;
    return { uidValidity: row.uidValidity, lastUid: row.lastUid, backfill };
  }

  /**
   * Starts the mailbox over under a (new) UIDVALIDITY: mail up to `historyFrom` counts as imported (history the
   * channel does not import), mail above `liveFrom` is new mail, and what lies between is history to backfill.
   */
  async reset(projectId: string, mailbox: string, uidValidity: string, start: StartingPoint = { historyFrom: 0, liveFrom: 0 }): Promise<Checkpoint> {
    const liveFrom = Math.max(start.historyFrom, start.liveFrom);
    const backfill = start.historyFrom < liveFrom ? { uid: start.historyFrom, end: liveFrom } : null;
    await this.checkpoints.upsert(
      { projectId, mailbox, uidValidity, lastUid: liveFrom, backfillUid: backfill?.uid ?? null, backfillEnd: backfill?.end ?? null, updatedAt: new Date() },
      ['projectId', 'mailbox'],
    );
    return { uidValidity, lastUid: liveFrom, backfill };
  }

  /**
   * Records that new mail up to `uid` is imported. Only ever moves forward and only within the same UIDVALIDITY, so
   * a late write from a watcher that just lost its lease cannot move a newer position back.
   */
  async advance(projectId: string, mailbox: string, uidValidity: string, uid: number): Promise<void> {
    await this.checkpoints.update(
      { projectId, mailbox, uidValidity, lastUid: LessThan(uid) },
      { lastUid: uid, updatedAt: new Date() },
    );
  }

  /** Records that history up to `uid` is imported; forward only, like `advance`. */
  async advanceBackfill(projectId: string, mailbox: string, uidValidity: string, uid: number): Promise<void> {
    await this.checkpoints.update(
      { projectId, mailbox, uidValidity, backfillUid: LessThan(uid) },
      { backfillUid: uid, updatedAt: new Date() },
    );
  }
}
