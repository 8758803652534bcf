import type { PromptGuard } from './reply-prompt.js';

/**
 * The longest reply proposed, in UTF-8 bytes: what ticketing takes from an agent (its reply limit), some 5,000
 * words. A model that writes more has gone wrong (or been told to): a human looks at the ticket instead.
 */
export const MAX_REPLY_BYTES = 30_000;

/** Consecutive words shared with a protected text that count as repeating it (a long sentence, not a phrase). */
export const VERBATIM_WORDS = 12;
/** A protected text shorter than VERBATIM_WORDS counts as repeated when the reply holds all of it, if it has this many. */
const MIN_PROTECTED_WORDS = 8;

export type ReplyVerdict = { send: true } | { send: false; reason: string };

/**
 * Whether a generated reply may go out. Not when it gives the prompt away (the delimiter marker or the shape of
 * the delimiters), repeats the communication style, the guidelines or the system instructions at length, or is
 * longer than any reply should be: then a human gets the ticket, with the reason.
 */
export function checkGeneratedReply(reply: string, guard: PromptGuard): ReplyVerdict {
  const withheld = (why: string): ReplyVerdict => ({ send: false, reason: `the generated reply was not sent: it ${why}` });
  if (reply.toLowerCase().includes(guard.nonce.toLowerCase())) return withheld('reveals the prompt (its message marker)');
  if (/<\s*\/?\s*message-[0-9a-f]{6,}/iu.test(reply)) return withheld('reveals the prompt (its message delimiters)');
  const bytes = Buffer.byteLength(reply, 'utf8');
  if (bytes > MAX_REPLY_BYTES) return withheld(`is ${bytes} bytes long, more than the ${MAX_REPLY_BYTES} a reply may have`);

  const replyWords = wordsOf(reply);
  if (repeats(replyWords, guard.guidelines)) return withheld('repeats the channel guidelines verbatim');
  if (repeats(replyWords, guard.communicationStyle)) return withheld('repeats the communication style verbatim');
  if (repeats(replyWords, guard.instructions)) return withheld('repeats the system instructions verbatim');
  return { send: true };
}

/** Words compared case-insensitively, punctuation and spacing ignored (a model reformats as it copies). */
function wordsOf(text: string): string[] {
  return text.normalize('NFKC').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/**
 * Text in double quotes is what guidelines ask the reply to say ('end with "If you have any questions, ..."'):
 * it is no secret, and a reply that uses it follows them. Single quotes are left alone (apostrophes).
 */
const QUOTED = /"[^"\n]*"|“[^”\n]*”|„[^“”\n]*[“”]|«[^»\n]*»/gu;

/** Whether `replyWords` hold a run of VERBATIM_WORDS words of `protectedText` (or all of a shorter part). */
function repeats(replyWords: readonly string[], protectedText: string): boolean {
  const runs = new Map<number, Set<string>>();
  for (const part of protectedText.split(QUOTED)) {
    const source = wordsOf(part);
    if (source.length < MIN_PROTECTED_WORDS) continue;
    const run = Math.min(VERBATIM_WORDS, source.length);
    const ofLength = runs.get(run) ?? runs.set(run, new Set()).get(run)!;
    for (let i = 0; i + run <= source.length; i++) ofLength.add(source.slice(i, i + run).join(' '));
  }
  for (const [run, ofLength] of runs) {
    for (let i = 0; i + run <= replyWords.length; i++) {
      if (ofLength.has(replyWords.slice(i, i + run).join(' '))) return true;
    }
  }
  return false;
}
