import { describe, expect, it } from 'vitest';
import { askedAbout } from './question-action.js';

describe('askedAbout', () => {
  it('is the verb after "can I" or "do you"', () => {
    expect(askedAbout('Can I collect my order myself at your warehouse?')).toBe('collect');
    expect(askedAbout('Do you match prices?')).toBe('match');
    expect(askedAbout('Can I still change the delivery address?')).toBe('change');
  });

  it('is the object of a verb that says little by itself', () => {
    expect(askedAbout('how can I check the balance left on my gift card?')).toBe('balance left');
    expect(askedAbout('do you offer installation for the Fjord pendant lamp?')).toBe('installation');
    expect(askedAbout('Can we get an invoice without VAT?')).toBe('invoice');
    expect(askedAbout('Can I pay in Bitcoin or any other crypto?')).toBe('Bitcoin');
    expect(askedAbout('will I have to pay customs or import VAT when the parcel arrives?')).toBe('customs');
    expect(askedAbout('do I have to pay for the return shipping?')).toBe('return shipping');
    expect(askedAbout('how can I have my customer account and all my data deleted?')).toBe('customer account');
    expect(askedAbout('do you sell ceiling fans with a built-in light?')).toBe('ceiling fans');
  });

  it('is nothing in particular for a pronoun, or a question in another form', () => {
    expect(askedAbout('Can I still send it back?')).toBeNull();
    expect(askedAbout('How long does shipping to Austria take?')).toBeNull();
  });
});
