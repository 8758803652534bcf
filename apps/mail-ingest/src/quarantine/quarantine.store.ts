import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { QuarantinedMail } from './quarantined-mail.entity.js';

export interface QuarantineEntry {
  uidValidity: string;
  uid: number;
  reason: string;
  rawObjectKey: string;
  createdAt: string;
}

const MAX_REASON_LENGTH = 2_000;
const LIST_LIMIT = 200;

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
    return rows.map((row) => ({
      uidValidity: row.uidValidity,
      uid: row.uid,
      reason: row.reason,
      rawObjectKey: row.rawObjectKey,
      createdAt: row.createdAt.toISOString(),
    }));
  }
}
