/**
 * The questions and requests in what a customer newly wrote, each to be looked up in the knowledge base on its own:
 * a mail that asks about shipping and about returns needs a passage for each. Greetings, thanks and sign-offs are
 * no questions and are left out. A mail with nothing that reads as a question counts as one request: all of it.
 */

/** Lines that are only a greeting, thanks or a sign-off, in the languages the offline responder answers in. */
const NOT_A_QUESTION_LINE =
  /^(?:hi|hello|hey|dear\b.*|good (?:morning|afternoon|evening)|hallo|guten (?:tag|morgen|abend)|sehr geehrte.*|liebe[rs]?\b.*|bonjour|salut|hola|buenos días|buongiorno|ciao|hoi|goedemiddag|goedemorgen|thanks?(?: you)?(?: (?:a lot|so much|in advance))?|many thanks|cheers|best(?: regards| wishes)?|kind regards|regards|sincerely|yours(?: sincerely| truly)?|danke(?: schön| sehr| im voraus)?|vielen dank(?: im voraus)?|viele grüße|mit freundlichen grüßen|beste grüße|lg|mfg|gruß|grüße|merci(?: beaucoup| d'avance)?|cordialement|bien à vous|gracias|saludos|un saludo|grazie|cordiali saluti|saluti|bedankt|met vriendelijke groet(?:en)?|groet(?:en)?)[\s,.!:;-]*$/iu;

/** Openings that make a sentence a request even without a question mark. */
const REQUEST =
  /^(?:please|pls|kindly|i (?:would|'d) like|i want|i need|i wish|tell me|let me know|can you|could you|would you|help|how|what|when|where|which|why|who|is|are|do|does|did|can|could|will|would|should|may|bitte|ich (?:möchte|will|würde|brauche|hätte)|wie|was|wann|wo|welche[rsnm]?|warum|wer|können|könnten|kann|ist|sind|gibt es|habt|haben sie|je (?:voudrais|veux|souhaite)|comment|quand|où|quel(?:le)?s?|pouvez|est-ce|quiero|quisiera|cómo|cuándo|dónde|puedo|pueden|vorrei|come|quando|dove|potete|ik wil|ik zou|hoe|wanneer|waar|kunnen|kan)\b/iu;

/** A greeting that opens a sentence ("hi there, whats the minimum order …"): not part of the question. */
const LEADING_GREETING = /^(?:hi|hello|hey|hallo|moin|servus|bonjour|salut|hola|ciao|hoi)(?:\s+(?:there|all|team|everyone|zusammen))?\s*[,!:-]\s*/iu;

/**
 * Contractions written without their apostrophe ("whats", "dont", "cant"), as mail typed on a phone often is: with it
 * restored they are the stop words they are, not words the knowledge base has never seen.
 */
const BARE_CONTRACTIONS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\b(what|that|there|where|who|how|it|he|she)s\b/giu, "$1's"],
  [/\b(do|does|did|is|are|was|were|have|has|had|ca|wo|could|would|should)nt\b/giu, "$1n't"],
  [/\b(i)m\b/giu, "$1'm"],
  [/\b(i|you|we|they)ve\b/giu, "$1've"],
  [/\b(you|we|they)re\b/giu, "$1're"],
];

/** The question as it is to be looked up: without an opening greeting, with bare contractions restored. */
function asLookedUp(sentence: string): string {
  return BARE_CONTRACTIONS.reduce((text, [pattern, replacement]) => text.replace(pattern, replacement), sentence.replace(LEADING_GREETING, '')).trim();
}

const MAX_QUESTIONS = 5;
/** What the mail told since its previous question, at most this many sentences, says what a vague question is about. */
const MAX_CONTEXT_SENTENCES = 3;
const MIN_QUESTION_CHARS = 8;

export function questionsOf(text: string): string[] {
  return askedInMail(text).map((asked) => asked.question);
}

/**
 * A question of the mail, with what the mail told since the question before it ("My card keeps getting declined. It is a
 * Visa debit. What is going on?").
 */
export interface AskedQuestion {
  question: string;
  context: string | null;
}

export function askedInMail(text: string): AskedQuestion[] {
  const lines = text
    .replace(/\r\n?/gu, '\n')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !NOT_A_QUESTION_LINE.test(line));
  // Sentence ends: ., ! or ? followed by a space or the end (not the dot of "1.500" or "e.g").
  const sentences = lines
    .flatMap((line) => line.split(/(?<=[.!?])\s+/u))
    .map(asLookedUp)
    .filter(Boolean);
  const isQuestion = (sentence: string) =>
    sentence.length >= MIN_QUESTION_CHARS && (sentence.endsWith('?') || REQUEST.test(sentence)) && !NOT_A_QUESTION_LINE.test(sentence);
  const asked: AskedQuestion[] = [];
  let told: string[] = [];
  for (const sentence of sentences) {
    if (!isQuestion(sentence)) {
      if (!NOT_A_QUESTION_LINE.test(sentence)) told.push(sentence);
      continue;
    }
    asked.push({ question: sentence, context: told.length > 0 ? told.slice(-MAX_CONTEXT_SENTENCES).join(' ') : null });
    told = [];
  }
  if (asked.length === 0) {
    const all = lines.join(' ').trim();
    return all === '' ? [] : [{ question: all, context: null }];
  }
  // Where the mail asks with question marks, its other requests ("I need it for my tax return.") are what it tells
  // about itself, not more questions to answer.
  const marked = asked.filter((entry) => entry.question.endsWith('?'));
  return (marked.length > 0 ? marked : asked).slice(0, MAX_QUESTIONS);
}
