import { CreateMessagingTables1764000000000 } from '@ensoras/messaging';
import { CreateTickets1764100000000 } from './1764100000000-create-tickets.js';

/** In order of their timestamps; each runs once, recorded in "ticketing"."migrations". */
export const MIGRATIONS = [CreateMessagingTables1764000000000, CreateTickets1764100000000];
