import { describe, expect, it } from 'vitest';
import { questionsOf } from './customer-questions.js';

describe('questionsOf', () => {
  it('finds each question of a mail and leaves out greeting, thanks and sign-off', () => {
    const mail = 'Hi there,\n\nHow long does shipping to Austria take? And can I pay by invoice?\n\nThanks a lot!\nBest regards,\nJane';
    expect(questionsOf(mail)).toEqual(['How long does shipping to Austria take?', 'And can I pay by invoice?']);
  });

  it('counts a request without a question mark', () => {
    expect(questionsOf('Hello,\nI would like to return the lamp I bought last week.\nRegards')).toEqual(['I would like to return the lamp I bought last week.']);
  });

  it('reads German mails', () => {
    expect(questionsOf('Hallo,\nwie lange dauert der Versand nach Österreich?\nViele Grüße\nJan')).toEqual(['wie lange dauert der Versand nach Österreich?']);
  });

  it('takes the whole text when nothing reads as a question', () => {
    expect(questionsOf('The lamp arrived broken.')).toEqual(['The lamp arrived broken.']);
  });

  it('has nothing for a mail that is only a greeting', () => {
    expect(questionsOf('Thanks!\n\nCheers')).toEqual([]);
  });

  it('looks at five questions at most', () => {
    expect(questionsOf(Array.from({ length: 9 }, (_, i) => `What about item ${i}?`).join(' '))).toHaveLength(5);
  });
});
