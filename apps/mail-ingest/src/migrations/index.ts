import { CreateMessagingTables1764000000000 } from '@ensoras/messaging';

/** In order of their timestamps; each runs once, recorded in "mail_ingest"."migrations". */
export const MIGRATIONS = [CreateMessagingTables1764000000000];
