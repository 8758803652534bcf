import { AddOutboxParking1796000000000, CreateMessagingTables1764000000000 } from '@ensoras/messaging';
import { CreateDelivery1764300000000 } from './1764300000000-create-delivery.js';
import { AddDeliveryHandOver1796300000000 } from './1796300000000-add-delivery-hand-over.js';
import { AddSmtpPause1796910000000 } from './1796910000000-add-smtp-pause.js';
import { AddDeliverySentCopy1796930000000 } from './1796930000000-add-delivery-sent-copy.js';

/** In order of their timestamps; each runs once, recorded in "mail_outbound"."migrations". */
export const MIGRATIONS = [CreateMessagingTables1764000000000, CreateDelivery1764300000000, AddOutboxParking1796000000000, AddDeliveryHandOver1796300000000, AddSmtpPause1796910000000, AddDeliverySentCopy1796930000000];
