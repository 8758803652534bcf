import { CreateMessagingTables1764000000000 } from '@ensoras/messaging';
import { CreateConversationAndPendingResponses1764300000000 } from './1764300000000-create-conversation-and-pending-responses.js';

/** In order of their timestamps; each runs once, recorded in "ai_responder"."migrations". */
export const MIGRATIONS = [CreateMessagingTables1764000000000, CreateConversationAndPendingResponses1764300000000];
