import { describe, expect, it } from 'vitest';
import { mailLanguage } from './mail-language.js';

describe('mailLanguage', () => {
  it('tells German from English among the knowledge base languages', () => {
    expect(mailLanguage('Hallo, wie lange dauert der Versand nach Österreich und was kostet er?', ['en', 'de'])).toBe('de');
    expect(mailLanguage('Hello, how long does shipping to Austria take and what does it cost?', ['en', 'de'])).toBe('en');
  });

  it('has nothing to choose with one language, and falls back for what it cannot tell', () => {
    expect(mailLanguage('Bonjour, combien coûte la livraison ?', ['en'])).toBe('en');
    expect(mailLanguage('ok', ['en', 'de'])).toBe('en');
    expect(mailLanguage('Hallo', [])).toBe('en');
  });
});
