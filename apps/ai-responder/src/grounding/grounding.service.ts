import { Injectable } from '@nestjs/common';
import { KnowledgeRetriever } from '../knowledge/knowledge-retriever.js';
import type { RetrievedPassage } from '../knowledge/knowledge-retriever.js';
import { TextSearchConfigs } from '../knowledge/text-search-configs.js';
import { holdsAnyOf, LexemeWeights, weightedCoverage, type WeightedLexemes } from './lexeme-weights.js';
import { isFramingWord } from './question-words.js';
import { askedInMail } from './customer-questions.js';
import { escalationOf } from './escalation-intent.js';
import type { QuestionMatches } from './answer-plan.js';
import { compoundsOf, inCompound } from './compound-words.js';
import { NO_GROUNDING, type Grounding, type JudgedPassage } from './grounding.js';
import { askedAbout } from './question-action.js';
import { mailLanguage } from './mail-language.js';
import { SupportVocabulary, type WordGroups } from './support-vocabulary.js';

/** Passages looked at per question; the model sees the best PASSAGES_FOR_MODEL of all questions together. */
const PASSAGES_PER_QUESTION = 4;
const PASSAGES_FOR_MODEL = 8;
/**
 * A word of the question that the passage's title or heading names counts this many times: the section is about it
 * ("return" in "Return label and return shipping costs"), where another passage only mentions it.
 */
const HEADING_WEIGHT = 2;
/** A question with fewer telling words than this is vague: looked up with the subject and what the mail told before it. */
const MIN_TELLING_WORDS = 2;

/**
 * Looks up what the project's knowledge base says about a customer's mail: its language among the articles', each
 * question's best passages (in that language where the knowledge base has it), and whether it needs a person anyway.
 */
@Injectable()
export class GroundingService {
  constructor(
    private readonly retriever: KnowledgeRetriever,
    private readonly configs: TextSearchConfigs,
    private readonly lexemes: LexemeWeights,
    private readonly vocabulary: SupportVocabulary,
  ) {}

  /**
   * `mail`: the subject and what the customer newly wrote. A question too short to name its topic ("Is it still
   * valid?", "What can I do?") is looked up with the subject and what the mail told before it, and answered only by a
   * section whose title and heading the mail names ("Old gift card … from my birthday in 2024" – "How long gift cards
   * are valid").
   */
  async ground(projectId: string, mail: { subject: string; text: string }): Promise<Grounding> {
    const languages = await this.retriever.languages(projectId);
    if (languages.length === 0) return NO_GROUNDING;
    const subject = mail.subject.replace(/^(?:\s*(?:re|aw|fwd?|wg|sv|antw)\s*(?:\[\d+\])?\s*:\s*)+/iu, '').trim();
    const language = mailLanguage(`${subject}\n${mail.text}`, languages);
    const asked = askedInMail(mail.text);
    const escalation = escalationOf(`${subject}\n${mail.text}`, asked.map((entry) => [entry.context, entry.question].filter(Boolean).join('\n')).join('\n'));
    const questions: QuestionMatches[] = [];
    const mailConfig = await this.configs.configOf(language);
    // One look-up per text and configuration: the weights that decide a question's query are its passages' too.
    const weighed = new Map<string, Promise<WeightedLexemes>>();
    const weightsOf = (text: string, config: string): Promise<WeightedLexemes> => {
      const key = `${config}\u0000${text}`;
      if (!weighed.has(key)) weighed.set(key, this.lexemes.of(projectId, text, config));
      return weighed.get(key)!;
    };
    for (const { question, context } of asked) {
      const own = await weightsOf(question, mailConfig);
      const vague = own.weights.size < MIN_TELLING_WORDS;
      const topic = [subject, context, question].filter(Boolean).join('\n');
      const query = vague ? topic : question;
      const expansion = await this.vocabulary.expansionOf(topic, language, mailConfig);
      const found = await this.retriever.retrieve(projectId, `${query}\n${expansion.words}`, { language, limit: PASSAGES_PER_QUESTION * 3 });
      const about = askedAbout(question);
      const judged = await this.judged(projectId, found, {
        question: (config) => weightsOf(question, config),
        query: (config) => weightsOf(query, config),
        topic: vague ? (config) => weightsOf(`${topic}\n${expansion.words}`, config) : null,
        phraseGroups: { config: mailConfig, groups: expansion.phraseGroups },
        about: about ? (config) => weightsOf(about, config) : null,
      });
      // Unknown when none of its words is: "Bitcoin", "ceiling fans" (the knowledge base knows ceilings).
      const aboutWords = about === null ? null : await weightsOf(about, mailConfig);
      const unknown = aboutWords !== null && aboutWords.unknown.size > 0 && aboutWords.unknown.size === aboutWords.weights.size;
      questions.push({ question, unknownAction: unknown ? about : null, passages: inLanguageFirst(judged, language).slice(0, PASSAGES_PER_QUESTION) });
    }
    const passages = uniquePassages(questions.flatMap((entry) => entry.passages))
      .sort((a, b) => b.score - a.score)
      .slice(0, PASSAGES_FOR_MODEL);
    return { language, questions, escalation, passages, knowledgeBase: true };
  }

  /**
   * The passages with their coverage weighed by how telling each word is (LexemeWeights), counting the words of one
   * SupportVocabulary group as one, and without the words that only frame a question; most covered first. For a
   * question that names its topic, coverage is of the question's words. For a vague one it is of its own few words
   * (all of them, or 1 when it has none), and `topicCoverage` says how much of the passage's heading the mail names.
   */
  private async judged(
    projectId: string,
    passages: RetrievedPassage[],
    weightsIn: {
      question: (config: string) => Promise<WeightedLexemes>;
      query: (config: string) => Promise<WeightedLexemes>;
      topic: ((config: string) => Promise<WeightedLexemes>) | null;
      about: ((config: string) => Promise<WeightedLexemes>) | null;
      /** The mail's phrases as groups (SupportVocabulary), for passages searched in the mail's configuration. */
      phraseGroups: { config: string; groups: WordGroups };
    },
  ): Promise<JudgedPassage[]> {
    const headings = await this.headingWeights(projectId, passages);
    const weighed = await Promise.all(
      passages.map(async (passage, index) => {
        const config = await this.configs.configOf(passage.language);
        const groups = [
          ...(config === weightsIn.phraseGroups.config ? weightsIn.phraseGroups.groups : []),
          ...(await this.vocabulary.groupsIn(passage.language, config)),
        ];
        const heading = headings[index]!;
        const matched = passage.matched.filter((lexeme) => !isFramingWord(config, lexeme));
        const matchedInHeadings = matched.filter((lexeme) => passage.matchedInHeadings.includes(lexeme) || inCompound(lexeme, heading.weights));
        const about = weightsIn.about ? [...(await weightsIn.about(config)).weights.keys()] : [];
        const holdsAskedAbout = about.length === 0 || holdsAnyOf(about, matched, groups);
        if (!weightsIn.topic) {
          const coverage = weightedCoverage(headingsWeighMore(await weightsIn.query(config), matchedInHeadings), matched, groups);
          return { ...passage, matched, matchedInHeadings, holdsAskedAbout, coverage: round(coverage), topicCoverage: null };
        }
        const own = await weightsIn.question(config);
        const coverage = own.weights.size === 0 ? 1 : weightedCoverage(own, matched, groups);
        const named = [...(await weightsIn.topic(config)).weights.keys()];
        const topicCoverage = weightedCoverage(heading, [...named, ...named.flatMap((lexeme) => compoundsOf(lexeme, heading.weights))], groups);
        return { ...passage, matched, matchedInHeadings, holdsAskedAbout, coverage: round(coverage), topicCoverage: round(topicCoverage) };
      }),
    );
    return weighed.sort((a, b) => (b.topicCoverage ?? 0) - (a.topicCoverage ?? 0) || b.coverage - a.coverage || b.score - a.score);
  }

  /**
   * The words of what each passage is about, weighed like a question's: its section's heading, or its article's
   * title when it has none (the title is shared by every section: "Damaged, defective or wrong items" is not what
   * "An item arrived broken" is about).
   */
  private async headingWeights(projectId: string, passages: RetrievedPassage[]): Promise<WeightedLexemes[]> {
    const configs = await Promise.all(passages.map((passage) => this.configs.configOf(passage.language)));
    const weighed: WeightedLexemes[] = [];
    for (const config of new Set(configs)) {
      const indexes = configs.flatMap((each, index) => (each === config ? [index] : []));
      const texts = indexes.map((index) => passages[index]!.heading ?? passages[index]!.title);
      const weights = await this.lexemes.ofMany(projectId, texts, config);
      indexes.forEach((index, position) => (weighed[index] = weights[position]!));
    }
    return weighed;
  }
}

/** The question's words, those the passage's title or heading names weighing HEADING_WEIGHT times as much. */
function headingsWeighMore(question: WeightedLexemes, inHeadings: readonly string[]): Pick<WeightedLexemes, 'weights'> {
  return { weights: new Map([...question.weights].map(([lexeme, weight]) => [lexeme, inHeadings.includes(lexeme) ? weight * HEADING_WEIGHT : weight])) };
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

/** The mail's language answers it where the knowledge base has a passage in it; the others follow, as ranked. */
function inLanguageFirst<T extends RetrievedPassage>(passages: T[], language: string): T[] {
  return [...passages.filter((passage) => passage.language === language), ...passages.filter((passage) => passage.language !== language)];
}

function uniquePassages(passages: RetrievedPassage[]): RetrievedPassage[] {
  const seen = new Set<string>();
  return passages.filter((passage) => {
    const key = `${passage.articleId}\u0000${passage.text}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
