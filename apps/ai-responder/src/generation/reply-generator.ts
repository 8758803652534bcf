import type { ReplyPrompt } from './reply-prompt.js';

/**
 * What a generator decided for one mail: a reply written from the knowledge base's passages (`sources`: the ids of
 * the articles it used), or a handoff to a human with the reason (then `text` is empty and nothing is sent).
 */
export type GeneratedReply =
  | { action: 'reply'; text: string; sources: string[]; reason: null }
  | { action: 'handoff'; text: ''; sources: []; reason: string };

/** Writes one reply, or hands over. Implementations: the offline retrieval responder and any OpenAI-compatible API. */
export interface ReplyGenerator {
  generate(prompt: ReplyPrompt): Promise<GeneratedReply>;
}

export const REPLY_GENERATOR = Symbol('REPLY_GENERATOR');

export function handoff(reason: string): GeneratedReply {
  return { action: 'handoff', text: '', sources: [], reason };
}
