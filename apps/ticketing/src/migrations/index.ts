import { AddOutboxParking1796000000000, CreateMessagingTables1764000000000 } from '@ensoras/messaging';
import { CreateTickets1764100000000 } from './1764100000000-create-tickets.js';
import { AddMessageDetailsAndUnattachedMail1795625300000 } from './1795625300000-add-message-details-and-unattached-mail.js';
import { AddMessageDate1795625500000 } from './1795625500000-add-message-date.js';
import { AddSubjectThreadHash1795625600000 } from './1795625600000-add-subject-thread-hash.js';
import { AddHandoffReason1796200000000 } from './1796200000000-add-handoff-reason.js';
import { TicketStatesAndDrafts1796600000000 } from './1796600000000-ticket-states-and-drafts.js';

/** In order of their timestamps; each runs once, recorded in "ticketing"."migrations". */
export const MIGRATIONS = [
  CreateMessagingTables1764000000000,
  CreateTickets1764100000000,
  AddMessageDetailsAndUnattachedMail1795625300000,
  AddMessageDate1795625500000,
  AddSubjectThreadHash1795625600000,
  AddOutboxParking1796000000000,
  AddHandoffReason1796200000000,
  TicketStatesAndDrafts1796600000000,
];
