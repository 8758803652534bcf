import { francAll } from 'franc';

/** ISO 639-1 (what articles are tagged with) → ISO 639-3 (what franc names). */
const ISO_639_3: Record<string, string> = {
  en: 'eng', de: 'deu', fr: 'fra', es: 'spa', it: 'ita', nl: 'nld', pt: 'por', sv: 'swe', da: 'dan', fi: 'fin', no: 'nob', ru: 'rus', pl: 'pol', cs: 'ces',
};
const ISO_639_1 = Object.fromEntries(Object.entries(ISO_639_3).map(([short, long]) => [long, short]));

/** How far (of 1) the best language must lead the next one to be believed; else the knowledge base's main one. */
const MIN_LEAD = 0.05;

/**
 * The language of a mail among those the project's knowledge base is written in (franc, a trigram classifier,
 * asked to choose only among them): the answer is then looked up and written in it. With one language there is
 * nothing to choose; a text too short or too mixed to tell (the best guess barely ahead of the next) counts as
 * the knowledge base's main language (`knowledgeLanguages` lists the most used first).
 */
export function mailLanguage(text: string, knowledgeLanguages: readonly string[], fallback = 'en'): string {
  const candidates = [...new Set(knowledgeLanguages)].filter((language) => ISO_639_3[language]);
  if (candidates.length === 0) return fallback;
  if (candidates.length === 1) return candidates[0]!;
  const main = candidates[0]!;
  const [best, next] = francAll(text.slice(0, 4_000), { only: candidates.map((language) => ISO_639_3[language]!), minLength: 10 });
  const guess = best && best[0] !== 'und' && (!next || best[1] - next[1] >= MIN_LEAD) ? ISO_639_1[best[0]] : undefined;
  return guess ?? main;
}
