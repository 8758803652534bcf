import type { JudgedPassage } from './grounding.js';

/** A passage as the retriever returns it and grounding judges it, for the grounding specs. */
export function passage(overrides: Partial<JudgedPassage> = {}): JudgedPassage {
  return {
    articleId: 'returns',
    title: 'Returns',
    url: 'https://shop.example/help/returns',
    language: 'en',
    heading: 'How long do I have?',
    text: 'You can return any item within 30 days of delivery.',
    score: 0.5,
    coverage: 0.8,
    matched: ['return', 'day'],
    matchedInHeadings: ['return'],
    topicCoverage: null,
    holdsAskedAbout: true,
    ...overrides,
  };
}
