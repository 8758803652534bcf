import type { ReplyGenerator } from './reply-generator.js';
import type { ReplyFacts, ReplyPrompt } from './reply-prompt.js';

/**
 * The offline default: a short, polite, deterministic acknowledgement built from the prompt's facts. A placeholder
 * until replies are grounded in knowledge; it never claims to have solved anything, and it never repeats what the
 * mail said (subject or text): a sender who puts a third party in Reply-To must not get their words mailed to it
 * from the tenant's server.
 */
export class LocalReplyGenerator implements ReplyGenerator {
  async generate(prompt: ReplyPrompt): Promise<{ text: string }> {
    return { text: composeLocalReply(prompt.facts) };
  }
}

export function composeLocalReply(facts: ReplyFacts): string {
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
