import { describe, expect, it } from 'vitest';
import { hasForwardPrefix, hasReplyPrefix, normalizeSubject, replySubject, subjectThreadKey } from './subject.js';

describe('normalizeSubject', () => {
  it.each([
    // every single prefix form
    ['Re: Order 42', 'Order 42'],
    ['RE: Order 42', 'Order 42'],
    ['re: Order 42', 'Order 42'],
    ['Aw: Bestellung', 'Bestellung'],
    ['AW: Bestellung', 'Bestellung'],
    ['Sv: Beställning', 'Beställning'],
    ['SV: Beställning', 'Beställning'],
    ['Vs: Tilaus', 'Tilaus'],
    ['Antw: Bestelling', 'Bestelling'],
    ['Antwort: Bestellung', 'Bestellung'],
    ['Ref: Commande', 'Commande'],
    ['Réf: Commande', 'Commande'],
    ['Réf. : Commande', 'Commande'],
    ['Rif: Ordine', 'Ordine'],
    ['R: Ordine', 'Ordine'],
    ['Odp: Zamówienie', 'Zamówienie'],
    ['Vá: Rendelés', 'Rendelés'],
    ['回复：订单', '订单'],
    ['回复: 订单', '订单'],
    ['回覆：訂單', '訂單'],
    ['答复：订单', '订单'],
    ['Fwd: Order 42', 'Order 42'],
    ['FWD: Order 42', 'Order 42'],
    ['Fw: Order 42', 'Order 42'],
    ['FW: Order 42', 'Order 42'],
    ['WG: Bestellung', 'Bestellung'],
    ['TR: Commande', 'Commande'],
    ['Doorst: Bestelling', 'Bestelling'],
    ['İlt: Sipariş', 'Sipariş'],
    // full-width colon, missing space, space before the colon
    ['Re：Order 42', 'Order 42'],
    ['Re:Order 42', 'Order 42'],
    ['Re : Order 42', 'Order 42'],
    // numbered
    ['Re[2]: Order 42', 'Order 42'],
    ['Re(2): Order 42', 'Order 42'],
    ['Re^2: Order 42', 'Order 42'],
    ['RE [3]: Order 42', 'Order 42'],
    // nested, mixed
    ['Re: Re: Re: Order 42', 'Order 42'],
    ['RE: Fwd[6]: RE: Order 42', 'Order 42'],
    ['AW: WG[5]: AW[2]: Bestellung', 'Bestellung'],
    ['Fwd: 回复：Re: 订单', '订单'],
    ['Re:Re:Order', 'Order'],
    // list tags, also between prefixes
    ['[support-list] Order 42', 'Order 42'],
    ['[support-list] Re: Order 42', 'Order 42'],
    ['Re: [support-list] Re: Order 42', 'Order 42'],
    ['[a] [b] Order', 'Order'],
    // whitespace collapsed, case preserved
    ['  Re:   My    ORDER\tis\r\n late  ', 'My ORDER is late'],
    // not prefixes
    ['Regarding my order', 'Regarding my order'],
    ['Result: passed', 'Result: passed'],
    ['Order Re: 42', 'Order Re: 42'],
    ['Fwdx: hello', 'Fwdx: hello'],
    ['Trouble: printer', 'Trouble: printer'],
    ['Order [urgent]', 'Order [urgent]'],
    // empty and prefix-only
    ['', ''],
    ['   ', ''],
    ['Re:', ''],
    ['Re: Fwd: ', ''],
    ['[list]', ''],
  ])('%j → %j', (subject, expected) => {
    expect(normalizeSubject(subject)).toBe(expected);
  });

  it('treats null and undefined as empty', () => {
    expect(normalizeSubject(null)).toBe('');
    expect(normalizeSubject(undefined)).toBe('');
  });
});

describe('subjectThreadKey', () => {
  it.each([
    ['Re: Order 42', 'order 42'],
    ['RE: FWD: ORDER 42', 'order 42'],
    ['AW: WG[5]: AW[2]: Bestellung', 'bestellung'],
    ['[list] Re:  Order   42', 'order 42'],
    ['回复：订单', '订单'],
  ])('%j → %j', (subject, key) => {
    expect(subjectThreadKey(subject)).toBe(key);
  });

  it.each([[''], ['   '], ['Re:'], ['RE: Fwd[2]: AW:'], ['[list]'], ['[list] Re:'], ['(no subject)'], ['Re: (no subject)']])(
    'is null for the empty or prefix-only subject %j',
    (subject) => {
      expect(subjectThreadKey(subject)).toBeNull();
    },
  );

  it('is null for null and undefined', () => {
    expect(subjectThreadKey(null)).toBeNull();
    expect(subjectThreadKey(undefined)).toBeNull();
  });

  it('gives a reply and its original the same key', () => {
    expect(subjectThreadKey('Re: Re[2]: My order is late')).toBe(subjectThreadKey('My order is late'));
    expect(subjectThreadKey('AW: my ORDER is late')).toBe(subjectThreadKey('My order is late'));
  });
});

describe('hasReplyPrefix', () => {
  it.each([
    ['Re: Order', true],
    ['RE[2]: Order', true],
    ['AW: Bestellung', true],
    ['Sv: x', true],
    ['回复：订单', true],
    ['[list] Re: Order', true],
    ['Order', false],
    ['Fwd: Order', false],
    ['Regarding my order', false],
    ['', false],
    [null, false],
  ])('%j → %s', (subject, expected) => {
    expect(hasReplyPrefix(subject)).toBe(expected);
  });
});

describe('hasForwardPrefix', () => {
  it.each([
    ['Fwd: Order', true],
    ['WG: Bestellung', true],
    ['[list] TR: Commande', true],
    ['Re: Order', false],
    ['Order', false],
  ])('%j → %s', (subject, expected) => {
    expect(hasForwardPrefix(subject)).toBe(expected);
  });
});

describe('replySubject', () => {
  it.each([
    ['Order 42', 'Re: Order 42'],
    ['Re: Order 42', 'Re: Order 42'],
    ['RE: Re: Fwd: Order 42', 'Re: Order 42'],
    ['AW: Bestellung', 'Re: Bestellung'],
    ['[list] Re: Order', 'Re: Order'],
    ['', 'Re: (no subject)'],
    ['Re:', 'Re: (no subject)'],
    // A subject cut at intake: the customer sees its start, never our marker.
    ['Refund refund refund …[truncated]', 'Re: Refund refund refund'],
    ['Refund … [truncated]', 'Re: Refund'],
    ['Why is [truncated] in my invoice', 'Re: Why is [truncated] in my invoice'],
  ])('%j → %j', (subject, expected) => {
    expect(replySubject(subject)).toBe(expected);
  });

  it('never stacks prefixes when replying to its own output', () => {
    expect(replySubject(replySubject(replySubject('Order 42')))).toBe('Re: Order 42');
  });
});
