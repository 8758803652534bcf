import { describe, expect, it } from 'vitest';
import { askedInMail, questionsOf } from './customer-questions.js';

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

  it('looks a question up without the greeting that opens it, and with the apostrophes a phone left out', () => {
    expect(questionsOf('hi there, whats the minimum order for free shipping? my basket is at 72 euros')).toEqual(["what's the minimum order for free shipping?"]);
    expect(questionsOf('Hey! why cant I log in?')).toEqual(["why can't I log in?"]);
  });

  it('gives a vague question what the mail told since the question before it', () => {
    const mail = 'my card keeps getting declined at checkout, tried 3 times now. its a visa debit with enough money on it. whats going on??';
    expect(askedInMail(mail)).toEqual([
      { question: "what's going on??", context: "my card keeps getting declined at checkout, tried 3 times now. it's a visa debit with enough money on it." },
    ]);
    expect(askedInMail('Is shipping free? The lamp is for my sister. Can I add a gift note?')).toEqual([
      { question: 'Is shipping free?', context: null },
      { question: 'Can I add a gift note?', context: 'The lamp is for my sister.' },
    ]);
  });
});
