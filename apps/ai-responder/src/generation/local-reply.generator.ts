import { DEFAULT_ANSWER_THRESHOLDS, planAnswer, type AnswerThresholds } from '../grounding/answer-plan.js';
import { composeGroundedReply, REPLY_LANGUAGES } from '../grounding/grounded-reply.js';
import { handoff, type GeneratedReply, type ReplyGenerator } from './reply-generator.js';
import type { ReplyFacts, ReplyPrompt } from './reply-prompt.js';

/**
 * The offline default (AI_PROVIDER=local): a retrieval responder. For a project with a knowledge base it answers only when the knowledge base has a
 * passage it is confident in for every question of the mail, with those passages as written, greeting the customer
 * by name and signing with the channel's From name; otherwise it hands the ticket to a human. It never invents, and
 * never repeats what the mail said: a sender who puts a third party in Reply-To must not get their words mailed to it
 * from the tenant's server.
 */
export class LocalReplyGenerator implements ReplyGenerator {
  constructor(private readonly thresholds: AnswerThresholds = DEFAULT_ANSWER_THRESHOLDS) {}

  async generate(prompt: ReplyPrompt): Promise<GeneratedReply> {
    if (!prompt.grounding.knowledgeBase) return { action: 'reply', text: composeAcknowledgement(prompt.facts), sources: [], reason: null };
    const plan = planAnswer(prompt.grounding, this.thresholds);
    if (plan.action === 'handoff') return handoff(plan.reason);
    const passages = plan.answers.map((answer) => answer.passage);
    const languages = new Set(passages.map((passage) => passage.language));
    const language = languages.size === 1 ? [...languages][0]! : prompt.grounding.language;
    const text = composeGroundedReply({
      customerName: greetingName(prompt.facts.customerName),
      senderName: prompt.facts.senderName,
      language: REPLY_LANGUAGES.includes(language) ? language : 'en',
      passages,
    });
    return { action: 'reply', text, sources: [...new Set(passages.map((passage) => passage.articleId))], reason: null };
  }
}

/**
 * For a project without a knowledge base: a short, polite, deterministic acknowledgement built from the prompt's
 * facts, which never claims to have solved anything. (A project with articles gets answers or a handoff instead.)
 */
export function composeAcknowledgement(facts: ReplyFacts): string {
  const name = greetingName(facts.customerName);
  const messages = facts.answeredCount > 1 ? 'your messages' : 'your message';
  return [
    name ? `Hello ${name},` : 'Hello,',
    '',
    `Thank you for ${messages}. We have received your request and are looking into it.`,
    '',
    'If anything needs a closer look, a member of our team will follow up with you.',
    '',
    'Kind regards,',
    facts.senderName,
  ].join('\n');
}

const TITLES = /^(?:dr|prof|mr|mrs|ms|mx|herr|frau|mme|m)\.?$/i;
/** A word of a person's name: letters, with inner apostrophes or hyphens ("O'Neil", "Jean-Luc"). */
const NAME_WORD = /^\p{L}+(?:['’-]\p{L}+)*$/u;
const MAX_GREETING_CHARS = 40;

/**
 * Whom to greet: the first name of "Jane Doe" or "Doe, Jane"; a name that starts with a title ("Dr. Jane Doe")
 * is kept whole, since its first word alone would be no name. Only what looks like a name is greeted by: a display
 * name is the sender's free text ("Win at evil.example"), and the greeting goes out in our mail.
 */
export function greetingName(displayName: string | null): string | null {
  const name = displayName?.replace(/^["'\s]+|["'\s]+$/g, '').replace(/\s+/g, ' ') ?? '';
  if (name === '' || name.includes('@')) return null;
  const commaParts = name.split(',').map((part) => part.trim()).filter(Boolean);
  const ordered = commaParts.length === 2 ? commaParts[1]! : name;
  const words = ordered.split(' ');
  const greeting = TITLES.test(words[0]!) ? ordered : words[0]!;
  const nameWords = greeting.split(' ').filter((word) => !TITLES.test(word));
  if (greeting.length > MAX_GREETING_CHARS || nameWords.length === 0 || !nameWords.every((word) => NAME_WORD.test(word))) return null;
  return greeting;
}
