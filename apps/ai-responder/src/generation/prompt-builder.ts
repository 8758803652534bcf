import { Injectable } from '@nestjs/common';
import { withoutQuotedHistory } from './quoted-history.js';
import type { ConversationEntry, ReplyPrompt } from './reply-prompt.js';

export interface PromptInput {
  /** The project's global voice (channel-config's configuration). */
  communicationStyle: string;
  /** The email channel's instructions, applied on top of the style. */
  guidelines: string;
  identity: { fromName: string; fromEmail: string } | null;
  /** The ticket's messages, oldest first. */
  conversation: ConversationEntry[];
  /** Ticketing's ids of the customer messages the reply answers. */
  answeringMessageIds: string[];
}

/** Older messages beyond this are left out (and said to be); the ones being answered are always in. */
export const MAX_PROMPT_MESSAGES = 30;
/** Per message, after the quoted history is cut off. */
export const MAX_MESSAGE_CHARS = 4_000;
const ANSWER_MARK = '<- ANSWER THIS';
const DEFAULT_SENDER_NAME = 'The support team';

/** Builds the prompt for one reply from the project's style, the channel's guidelines and the conversation. */
@Injectable()
export class PromptBuilder {
  build(input: PromptInput): ReplyPrompt {
    const answering = new Set(input.answeringMessageIds);
    const answered = input.conversation.filter((entry) => answering.has(entry.messageId));
    const latest = answered.at(-1) ?? input.conversation.filter(isFromCustomer).at(-1);
    const senderName = input.identity?.fromName?.trim() || DEFAULT_SENDER_NAME;
    const ticketSubject = (latest ?? input.conversation.at(-1))?.ticketSubject ?? '';

    return {
      messages: [
        { role: 'system', content: this.instructions(input, senderName) },
        { role: 'user', content: this.conversation(input, answering, ticketSubject) },
      ],
      facts: {
        ticketSubject,
        customerName: customerName(latest, input.conversation),
        latestCustomerText: latest ? newPartOf(latest) : '',
        answeredCount: Math.max(answered.length, 1),
        senderName,
      },
    };
  }

  private instructions(input: PromptInput, senderName: string): string {
    const team = input.identity ? `${senderName} <${input.identity.fromEmail}>` : senderName;
    return [
      `You write email replies on behalf of the customer support team of ${team}.`,
      'Write the body of one reply email to the customer, in plain text: a greeting, short paragraphs, and a sign-off',
      `with the name "${senderName}". No subject line and no signature block: the signature is appended automatically.`,
      'Answer only what the conversation supports. Never invent order numbers, prices, dates, promises or policies;',
      'where you cannot answer, say that a member of the team will follow up.',
      'Reply in the language of the customer\'s latest message.',
      '',
      'Communication style of the project:',
      input.communicationStyle.trim() || '(none given: be friendly, clear and professional)',
      '',
      'Guidelines for the email channel (they apply on top of the communication style):',
      input.guidelines.trim() || '(none given)',
    ].join('\n');
  }

  private conversation(input: PromptInput, answering: Set<string>, ticketSubject: string): string {
    const entries = input.conversation;
    const firstKept = Math.max(0, entries.length - MAX_PROMPT_MESSAGES);
    const kept = entries.filter((entry, index) => index >= firstKept || answering.has(entry.messageId));
    const leftOut = entries.length - kept.length;
    const answerCount = kept.filter((entry) => answering.has(entry.messageId)).length;

    const blocks = kept.map((entry) => {
      const number = entries.indexOf(entry) + 1;
      const mark = answering.has(entry.messageId) ? `  ${ANSWER_MARK}` : '';
      return [
        `[${number}] ${speaker(entry)}, ${formatTime(entry.createdAt)}${mark}`,
        `Subject: ${entry.subject}`,
        truncate(isFromCustomer(entry) ? newPartOf(entry) : entry.text.trim(), MAX_MESSAGE_CHARS),
      ].join('\n');
    });

    return [
      `Ticket subject: ${ticketSubject}`,
      '',
      `The conversation so far, oldest first. "Customer" is the customer, "Us" is our team.` +
        (leftOut > 0 ? ` (${leftOut} earlier message${leftOut === 1 ? '' : 's'} left out.)` : ''),
      '',
      blocks.join('\n\n'),
      '',
      answerCount > 1
        ? `Write our reply. It answers the ${answerCount} customer messages marked "${ANSWER_MARK}", all of them in one email.`
        : `Write our reply to the customer message marked "${ANSWER_MARK}".`,
    ].join('\n');
  }
}

/**
 * What the customer newly wrote: the new part extracted on receipt (by a reply-parsing library, in mail-ingest),
 * else, for messages from before, the text with the quoted history cut off here. The history itself is in the
 * prompt already; quoting it again only costs tokens and blurs what is new.
 */
function newPartOf(entry: ConversationEntry): string {
  return entry.newText?.trim() ? entry.newText.trim() : withoutQuotedHistory(entry.text);
}

function isFromCustomer(entry: ConversationEntry): boolean {
  return entry.direction === 'inbound' && entry.author === 'customer';
}

function speaker(entry: ConversationEntry): string {
  if (!isFromCustomer(entry)) return `Us (${entry.author === 'ai' ? 'AI reply' : entry.author})`;
  const from = entry.from;
  if (!from) return 'Customer';
  return from.name?.trim() ? `Customer (${from.name.trim()} <${from.address}>)` : `Customer (${from.address})`;
}

/** The name the customer gave in the message being answered, else in their latest message that has one. */
function customerName(latest: ConversationEntry | undefined, conversation: ConversationEntry[]): string | null {
  const named = [latest, ...conversation.filter(isFromCustomer).reverse()].find((entry) => entry?.from?.name?.trim());
  const name = named?.from?.name?.trim();
  // Some clients put the bare address in the name: that is no name to greet.
  return name && !name.includes('@') ? name : null;
}

function formatTime(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}\n[... cut, ${text.length - max} more characters]`;
}
