import { Injectable } from '@nestjs/common';
import type { QuarantineEntryView } from '@ensoras/contracts';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { QuarantinedMail } from './quarantined-mail.entity.js';

/** As the API lists it. */
export type QuarantineEntry = QuarantineEntryView;

export interface QuarantineKey {
  projectId: string;
  uidValidity: string;
  uid: number;
}

const MAX_REASON_LENGTH = 2_000;
const LIST_LIMIT = 200;

/** The id of a quarantined mail in the API: UIDVALIDITY and UID identify it within its project's mailbox. */
export const quarantineId = (uidValidity: string, uid: number): string => `${uidValidity}-${uid}`;

/** `<uidValidity>-<uid>` back into its parts; null for anything else. */
export function parseQuarantineId(id: string): { uidValidity: string; uid: number } | null {
  const match = /^(\d{1,20})-(\d{1,20})$/u.exec(id);
  if (!match) return null;
  const uid = Number(match[2]);
  return Number.isSafeInteger(uid) ? { uidValidity: match[1]!, uid } : null;
}

const toEntry = (row: QuarantinedMail): QuarantineEntry => ({
  id: quarantineId(row.uidValidity, row.uid),
  uidValidity: row.uidValidity,
  uid: row.uid,
  reason: row.reason,
  rawObjectKey: row.rawObjectKey,
  createdAt: row.createdAt.toISOString(),
});

@Injectable()
export class QuarantineStore {
  constructor(@InjectRepository(QuarantinedMail) private readonly quarantine: Repository<QuarantinedMail>) {}

  /** Idempotent: importing the same mail again after a crash keeps the first record. */
  async add(entry: { projectId: string; uidValidity: string; uid: number; reason: string; rawObjectKey: string }): Promise<void> {
    await this.quarantine
      .createQueryBuilder()
      .insert()
      .values({ ...entry, reason: entry.reason.slice(0, MAX_REASON_LENGTH), createdAt: new Date() })
      .orIgnore()
      .execute();
  }

  /** The project's quarantined mail, newest first. */
  async list(projectId: string): Promise<QuarantineEntry[]> {
    const rows = await this.quarantine.find({ where: { projectId }, order: { createdAt: 'DESC', uid: 'DESC' }, take: LIST_LIMIT });
    return rows.map(toEntry);
  }

  async find(key: QuarantineKey): Promise<QuarantineEntry | null> {
    const row = await this.quarantine.findOneBy(key);
    return row ? toEntry(row) : null;
  }

  /** A retry that failed again says why, this time. */
  async updateReason(key: QuarantineKey, reason: string): Promise<void> {
    await this.quarantine.update(key, { reason: reason.slice(0, MAX_REASON_LENGTH) });
  }

  async remove(key: QuarantineKey): Promise<void> {
    await this.quarantine.delete(key);
  }
}
