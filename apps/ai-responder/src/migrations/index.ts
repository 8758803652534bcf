import { CreateMessagingTables1764000000000 } from '@ensoras/messaging';
import { CreateConversationAndPendingResponses1764300000000 } from './1764300000000-create-conversation-and-pending-responses.js';
import { AddNewTextAndLoopBreaker1795625400000 } from './1795625400000-add-new-text-and-loop-breaker.js';

/** In order of their timestamps; each runs once, recorded in "ai_responder"."migrations". */
export const MIGRATIONS = [CreateMessagingTables1764000000000, CreateConversationAndPendingResponses1764300000000, AddNewTextAndLoopBreaker1795625400000];
