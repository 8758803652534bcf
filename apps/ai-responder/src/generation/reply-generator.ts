import type { ReplyPrompt } from './reply-prompt.js';

/** Writes the text of one reply email. Implementations: the offline placeholder and any OpenAI-compatible API. */
export interface ReplyGenerator {
  generate(prompt: ReplyPrompt): Promise<{ text: string }>;
}

export const REPLY_GENERATOR = Symbol('REPLY_GENERATOR');
