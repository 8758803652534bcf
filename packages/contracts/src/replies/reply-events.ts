import { defineEvent } from '../events/envelope.js';

export interface ReplyProposedPayload {
  /** Unique per scheduled response; ticketing records one outgoing message per responseId. */
  responseId: string;
  ticketId: string;
  /** Ticket message ids (ticketing's) of the customer messages this reply answers; the last is replied to. */
  answersMessageIds: string[];
  text: string;
  html: string | null;
  author: 'ai' | 'agent';
  /**
   * Kept on the ticket as a draft for an agent to send or discard (the channel's `aiMode: draft`) instead of sent.
   * Absent or false: sent as today.
   */
  draft?: boolean;
  /** The knowledge articles the reply was written from (ai-responder's knowledge base); absent or empty: none. */
  sources?: ReplySource[];
}

/** A knowledge article an AI reply drew on, as the ticket API shows it. */
export interface ReplySource {
  articleId: string;
  title: string;
  url: string | null;
}

export const ReplyProposed = defineEvent<ReplyProposedPayload>('reply', 'proposed');

export interface ReplyHandoffPayload {
  ticketId: string;
  /** Why the AI stopped answering, e.g. the loop breaker's limit that was reached. */
  reason: string;
  /**
   * The channel's acknowledgement to send the customer before a person takes over (`handoff.acknowledge`): recorded
   * and sent as an AI reply (one per responseId), then the ticket goes to `needs_human`. Absent: nothing is sent.
   */
  acknowledgement?: HandoffAcknowledgement;
}

export interface HandoffAcknowledgement {
  responseId: string;
  /** Ticket message ids of the customer messages it answers; the last is replied to. */
  answersMessageIds: string[];
  text: string;
}

/** The AI will not answer this ticket any more; a human takes over. */
export const ReplyHandoff = defineEvent<ReplyHandoffPayload>('reply', 'handoff');
