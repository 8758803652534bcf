import { Injectable } from '@nestjs/common';
import { KnowledgeRetriever } from '../knowledge/knowledge-retriever.js';
import type { RetrievedPassage } from '../knowledge/knowledge-retriever.js';
import { TextSearchConfigs } from '../knowledge/text-search-configs.js';
import { LexemeWeights, weightedCoverage, type WeightedLexemes } from './lexeme-weights.js';
import { isFramingWord } from './question-words.js';
import { askedInMail } from './customer-questions.js';
import { escalationOf } from './escalation-intent.js';
import { NO_GROUNDING, type Grounding } from './grounding.js';
import { mailLanguage } from './mail-language.js';

/** Passages looked at per question; the model sees the best PASSAGES_FOR_MODEL of all questions together. */
const PASSAGES_PER_QUESTION = 4;
const PASSAGES_FOR_MODEL = 8;
/** A question with fewer telling words than this is looked up together with the subject and the sentence before it. */
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
  ) {}

  /**
   * `mail`: the subject and what the customer newly wrote. A question too short to name its topic is looked up with
   * the subject and the sentence before it, which often say what "it" is ("Gift card from Christmas" – "Is it still
   * valid?").
   */
  async ground(projectId: string, mail: { subject: string; text: string }): Promise<Grounding> {
    const languages = await this.retriever.languages(projectId);
    if (languages.length === 0) return NO_GROUNDING;
    const subject = mail.subject.replace(/^(?:\s*(?:re|aw|fwd?|wg|sv|antw)\s*(?:\[\d+\])?\s*:\s*)+/iu, '').trim();
    const language = mailLanguage(`${subject}\n${mail.text}`, languages);
    const escalation = escalationOf(`${subject}\n${mail.text}`);
    const questions = [];
    const mailConfig = await this.configs.configOf(language);
    // One look-up per text and configuration: the weights that decide a question's query are its passages' too.
    const weighed = new Map<string, Promise<WeightedLexemes>>();
    const weightsOf = (text: string, config: string): Promise<WeightedLexemes> => {
      const key = `${config}\u0000${text}`;
      if (!weighed.has(key)) weighed.set(key, this.lexemes.of(projectId, text, config));
      return weighed.get(key)!;
    };
    for (const { question, context } of askedInMail(mail.text)) {
      // A question that names its topic is asked alone; "Is it still valid?" needs what the mail said before.
      const telling = (await weightsOf(question, mailConfig)).weights.size;
      const query = telling >= MIN_TELLING_WORDS ? question : [subject, context, question].filter(Boolean).join('\n');
      const found = await this.retriever.retrieve(projectId, query, { language, limit: PASSAGES_PER_QUESTION * 3 });
      const judged = await this.judged(found, (config) => weightsOf(query, config));
      questions.push({ question, passages: inLanguageFirst(judged, language).slice(0, PASSAGES_PER_QUESTION) });
    }
    const passages = uniquePassages(questions.flatMap((entry) => entry.passages))
      .sort((a, b) => b.score - a.score)
      .slice(0, PASSAGES_FOR_MODEL);
    return { language, questions, escalation, passages, knowledgeBase: true };
  }

  /**
   * The passages with their coverage weighed by how telling each word of the question is (LexemeWeights), and without
   * the words that only frame it; most covered first.
   */
  private async judged(passages: RetrievedPassage[], weightsIn: (config: string) => Promise<WeightedLexemes>): Promise<RetrievedPassage[]> {
    const weighed = await Promise.all(
      passages.map(async (passage) => {
        const config = await this.configs.configOf(passage.language);
        const weights = await weightsIn(config);
        const matched = passage.matched.filter((lexeme) => !isFramingWord(config, lexeme));
        const matchedInHeadings = passage.matchedInHeadings.filter((lexeme) => !isFramingWord(config, lexeme));
        return { ...passage, matched, matchedInHeadings, coverage: Math.round(weightedCoverage(weights, matched) * 10_000) / 10_000 };
      }),
    );
    return weighed.sort((a, b) => b.coverage - a.coverage || b.score - a.score);
  }
}

/** The mail's language answers it where the knowledge base has a passage in it; the others follow, as ranked. */
function inLanguageFirst(passages: RetrievedPassage[], language: string): RetrievedPassage[] {
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
