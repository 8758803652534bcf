import { AddOutboxParking1796000000000, CreateMessagingTables1764000000000 } from '@ensoras/messaging';
import { CreateConversationAndPendingResponses1764300000000 } from './1764300000000-create-conversation-and-pending-responses.js';
import { AddNewTextAndLoopBreaker1795625400000 } from './1795625400000-add-new-text-and-loop-breaker.js';
import { AddProjectReplyWindow1795625700000 } from './1795625700000-add-project-reply-window.js';
import { CreateKnowledgeBase1796600000000 } from './1796600000000-create-knowledge-base.js';
import { AddAiReplyCounted1796800000000 } from './1796800000000-add-ai-reply-counted.js';
import { AddPassageEmbeddings1796700000000 } from './1796700000000-add-passage-embeddings.js';

/** In order of their timestamps; each runs once, recorded in "ai_responder"."migrations". */
export const MIGRATIONS = [
  CreateMessagingTables1764000000000,
  CreateConversationAndPendingResponses1764300000000,
  AddNewTextAndLoopBreaker1795625400000,
  AddProjectReplyWindow1795625700000,
  AddOutboxParking1796000000000,
  CreateKnowledgeBase1796600000000,
  AddPassageEmbeddings1796700000000,
  AddAiReplyCounted1796800000000,
];
