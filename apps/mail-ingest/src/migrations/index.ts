import { AddOutboxParking1796000000000, CreateMessagingTables1764000000000 } from '@ensoras/messaging';
import { CreateMailboxTables1764200000000 } from './1764200000000-create-mailbox-tables.js';
import { AddCheckpointBackfill1796500000000 } from './1796500000000-add-checkpoint-backfill.js';
import { AddMailboxPause1796910000000 } from './1796910000000-add-mailbox-pause.js';

/** In order of their timestamps; each runs once, recorded in "mail_ingest"."migrations". */
export const MIGRATIONS = [
  CreateMessagingTables1764000000000,
  CreateMailboxTables1764200000000,
  AddOutboxParking1796000000000,
  AddCheckpointBackfill1796500000000,
  AddMailboxPause1796910000000,
];
