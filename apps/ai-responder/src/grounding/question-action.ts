/**
 * What a question asks about, when it says so in the common form "can I <verb> …", "do you <verb> …": the verb
 * ("Can I collect my order at your warehouse?" asks about collecting), or for a verb that says little by itself
 * ("Do you offer installation?", "Can we get an invoice without VAT?") the words it governs. A passage that holds
 * none of them cannot answer the question, however many of its other words it holds: a passage about pendant lamps is
 * no answer to "do you offer installation for the pendant lamp?".
 */
const ASKED = /\b(?:can|could|may|do|does|will|would)\s+(?:i|we|you)\s+(?:still\s+|just\s+|also\s+|please\s+|actually\s+|even\s+)?(\p{L}+)((?:\s+[\p{L}'’-]+){0,6})/iu;

/**
 * Verbs whose question is about their object ("pay in Bitcoin", "have to pay customs"), among them the requests for
 * help that point back at what the mail told ("Can you fix this?").
 */
const GOVERNING = new Set(['offer', 'sell', 'have', 'provide', 'get', 'make', 'accept', 'take', 'do', 'give', 'send', 'bring', 'use', 'need', 'find', 'see', 'pay', 'buy', 'order', 'fix', 'help', 'solve', 'sort', 'check', 'explain', 'tell', 'handle', 'resolve', 'look']);

/** Words skipped on the way to the object: articles, possessives, quantifiers, prepositions. */
const FILLERS = new Set(['a', 'an', 'the', 'any', 'some', 'your', 'my', 'our', 'their', 'his', 'her', 'to', 'in', 'with', 'by', 'for', 'of', 'me', 'us', 'also', 'still', 'more', 'other']);

/** Words that end an object: "an invoice without VAT", "Bitcoin or any other crypto". */
const JOINING = new Set(['and', 'or', 'but', 'without', 'if', 'when', 'where', 'so', 'because', 'at', 'on', 'from', 'into', 'before', 'after', 'while', 'as', 'than', 'then', 'via', 'per', 'about', 'be', 'is', 'are']);

/** Pronouns: an object that names nothing ("send it back") asks about nothing in particular. */
const PRONOUNS = new Set(['it', 'them', 'this', 'that', 'these', 'those', 'one', 'something', 'anything', 'everything', 'myself', 'yourself']);

/** The word or words (as written) a question asks about, or null when it does not say it in that form. */
export function askedAbout(question: string): string | null {
  const match = ASKED.exec(question);
  if (!match) return null;
  const verb = match[1]!;
  if (!GOVERNING.has(verb.toLowerCase())) return verb;
  // The object is the run of words after the fillers, up to the next filler or joining word ("my customer account",
  // "the balance left"): which of them names it, word order alone does not tell.
  const object: string[] = [];
  for (const word of match[2]!.trim().split(/\s+/u).filter(Boolean)) {
    const lower = word.toLowerCase();
    const ends = FILLERS.has(lower) || JOINING.has(lower);
    if (object.length === 0 && (ends || GOVERNING.has(lower))) continue;
    if (ends) break;
    if (PRONOUNS.has(lower)) return null;
    object.push(word);
  }
  return object.length > 0 ? object.join(' ') : null;
}
