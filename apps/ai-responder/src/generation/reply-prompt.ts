import type { MailAddress, MessageAuthor, MessageDirection } from '@ensoras/contracts';
import type { Grounding } from '../grounding/grounding.js';

export interface ChatMessage {
  role: 'system' | 'user';
  content: string;
}

/**
 * Facts the prompt was built from, for a generator that does not read prose (the local placeholder). No mail text:
 * whatever a generator repeats of it goes out from the tenant's server, possibly to a Reply-To of the sender's choice.
 */
export interface ReplyFacts {
  /** The customer's display name as they wrote it, or null when the mail carried none. */
  customerName: string | null;
  /** How many customer messages this reply answers. */
  answeredCount: number;
  /** Who signs the reply: the channel's From name. */
  senderName: string;
}

/** What a generated reply must not give away or repeat (checked by checkGeneratedReply before it is proposed). */
export interface PromptGuard {
  /** The marker of this prompt's message delimiters. */
  nonce: string;
  /** The system instructions as sent. */
  instructions: string;
  communicationStyle: string;
  guidelines: string;
}

/** Everything a generator needs to write one reply. */
export interface ReplyPrompt {
  /** For a chat-completions model: instructions (style, guidelines), then the conversation. */
  messages: ChatMessage[];
  facts: ReplyFacts;
  guard: PromptGuard;
  /** What the project's knowledge base offers for the mail; the only facts a reply may state. */
  grounding: Grounding;
}

/** One message of the conversation as the prompt sees it. */
export interface ConversationEntry {
  messageId: string;
  direction: MessageDirection;
  author: MessageAuthor;
  from: MailAddress | null;
  subject: string;
  ticketSubject: string;
  text: string;
  /** The new part without quoted history, as extracted on receipt; null or absent when not known. */
  newText?: string | null;
  createdAt: Date;
}
