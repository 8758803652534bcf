import { firstMeaningfulLine } from './quoted-history.js';
import type { ReplyGenerator } from './reply-generator.js';
import type { ReplyFacts, ReplyPrompt } from './reply-prompt.js';

/**
 * The offline default: a short, polite, deterministic acknowledgement built from the prompt's facts. A placeholder
 * until replies are grounded in knowledge; it never claims to have solved anything.
 */
export class LocalReplyGenerator implements ReplyGenerator {
  async generate(prompt: ReplyPrompt): Promise<{ text: string }> {
    return { text: composeLocalReply(prompt.facts) };
  }
}

export function composeLocalReply(facts: ReplyFacts): string {
  const name = greetingName(facts.customerName);
  const subject = facts.ticketSubject.trim();
  const quote = firstMeaningfulLine(facts.latestCustomerText);
  const messages = facts.answeredCount > 1 ? 'your messages' : 'your message';

  let request = subject ? `Thank you for ${messages} about "${subject}".` : `Thank you for ${messages}.`;
  // Quoting the subject back a second time would read like a machine; quote only what adds something.
  if (quote && quote.toLowerCase() !== subject.toLowerCase()) request += ` You wrote: "${quote}"`;

  return [
    name ? `Hello ${name},` : 'Hello,',
    '',
    `${request} We have received your request and are looking into it.`,
    '',
    'If anything needs a closer look, a member of our team will follow up with you.',
    '',
    'Kind regards,',
    facts.senderName,
  ].join('\n');
}

const TITLES = /^(?:dr|prof|mr|mrs|ms|mx|herr|frau|mme|m)\.?$/i;

/**
 * Whom to greet: the first name of "Jane Doe" or "Doe, Jane"; a name that starts with a title ("Dr. Jane Doe")
 * is kept whole, since its first word alone would be no name.
 */
export function greetingName(displayName: string | null): string | null {
  const name = displayName?.replace(/^["'\s]+|["'\s]+$/g, '').replace(/\s+/g, ' ') ?? '';
  if (name === '' || name.includes('@')) return null;
  const commaParts = name.split(',').map((part) => part.trim()).filter(Boolean);
  const ordered = commaParts.length === 2 ? commaParts[1]! : name;
  const words = ordered.split(' ');
  if (TITLES.test(words[0]!)) return ordered;
  return words[0]!;
}
