import { describe, expect, it } from 'vitest';
import {
  generateMessageId,
  isGeneratedMessageIdOn,
  messageIdDomain,
  messageIdFromRaw,
  normalizeMessageId,
  parseMessageIdList,
} from './message-id.js';

describe('normalizeMessageId', () => {
  it.each([
    ['<abc@example.com>', '<abc@example.com>'],
    ['abc@example.com', '<abc@example.com>'],
    ['  <abc@example.com>  ', '<abc@example.com>'],
    ['< abc@example.com >', '<abc@example.com>'],
    ['<abc@example.com', '<abc@example.com>'],
    ['abc@example.com>', '<abc@example.com>'],
    ['<abc@example.com> (added by gateway)', '<abc@example.com>'],
    ['<CA+x=y.z@mail.gmail.com>', '<CA+x=y.z@mail.gmail.com>'],
    ['<"quoted local"@example.com>', null],
  ])('%j → %j', (value, expected) => {
    expect(normalizeMessageId(value)).toBe(expected);
  });

  it.each([[null], [undefined], [''], ['   '], ['<>'], ['< >'], ['garbage'], ['no id here'], ['@example.com'], ['abc@'], ['<a b@c>'], ['<@>']])(
    'is null for %j',
    (value) => {
      expect(normalizeMessageId(value)).toBeNull();
    },
  );

  it('keeps the case of the id', () => {
    expect(normalizeMessageId('<ABC.def@Example.COM>')).toBe('<ABC.def@Example.COM>');
  });
});

describe('parseMessageIdList', () => {
  it.each<[string | string[] | null | undefined, string[]]>([
    ['<a@x> <b@x> <c@x>', ['<a@x>', '<b@x>', '<c@x>']],
    ['<a@x><b@x>', ['<a@x>', '<b@x>']],
    ['<a@x>,<b@x>, <c@x>', ['<a@x>', '<b@x>', '<c@x>']],
    ['<a@x>\r\n <b@x>\r\n\t<c@x>', ['<a@x>', '<b@x>', '<c@x>']],
    ['a@x b@x', ['<a@x>', '<b@x>']],
    ['a@x, <b@x>', ['<a@x>', '<b@x>']],
    ['<a@x> <b@x> <a@x> <b@x>', ['<a@x>', '<b@x>']],
    ['< a@x > <b\r\n @x>', ['<a@x>', '<b@x>']],
    ['<a@x> <> <not-an-id> garbage <b@x>', ['<a@x>', '<b@x>']],
    ['"Kijitora" <a@x>', ['<a@x>']],
    [['<a@x>', '<b@x>', '<a@x>'], ['<a@x>', '<b@x>']],
    [['<a@x> <b@x>', 'c@x'], ['<a@x>', '<b@x>', '<c@x>']],
    ['', []],
    ['   ', []],
    ['<>', []],
    [[], []],
    [null, []],
    [undefined, []],
  ])('%j → %j', (value, expected) => {
    expect(parseMessageIdList(value)).toEqual(expected);
  });

  it('keeps the order of first appearance', () => {
    expect(parseMessageIdList('<c@x> <a@x> <b@x> <a@x>')).toEqual(['<c@x>', '<a@x>', '<b@x>']);
  });
});

describe('generateMessageId', () => {
  it('puts a UUID on the domain of the sender', () => {
    expect(generateMessageId('Support@Example.com')).toMatch(
      /^<[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}@example\.com>$/,
    );
  });

  it('is unique per call', () => {
    const ids = new Set(Array.from({ length: 100 }, () => generateMessageId('support@example.com')));
    expect(ids.size).toBe(100);
  });

  it('is a valid id even for a sender without a domain', () => {
    const id = generateMessageId('not-an-address');
    expect(normalizeMessageId(id)).toBe(id);
    expect(id.endsWith('@ensoras.invalid>')).toBe(true);
  });
});

describe('isGeneratedMessageIdOn', () => {
  it('recognises the form generateMessageId gives, on the given domain only', () => {
    const id = generateMessageId('support@acme.example');
    expect(isGeneratedMessageIdOn(id, 'ACME.example')).toBe(true);
    expect(isGeneratedMessageIdOn(id.toUpperCase().replace('@ACME.EXAMPLE', '@acme.example'), 'acme.example')).toBe(false);
    expect(isGeneratedMessageIdOn(id, 'other.example')).toBe(false);
    expect(isGeneratedMessageIdOn('<1234@acme.example>', 'acme.example')).toBe(false);
    expect(isGeneratedMessageIdOn(id, null)).toBe(false);
    expect(isGeneratedMessageIdOn(null, 'acme.example')).toBe(false);
  });
});

describe('messageIdFromRaw', () => {
  it('is deterministic and derived from the bytes', () => {
    const raw = Buffer.from('Subject: hi\r\n\r\nbody\r\n');
    expect(messageIdFromRaw(raw)).toBe(messageIdFromRaw(Buffer.from(raw)));
    expect(messageIdFromRaw(raw)).toMatch(/^<[0-9a-f]{64}\.generated@ensoras\.invalid>$/);
    expect(messageIdFromRaw(Buffer.from('Subject: hi\r\n\r\nbody!\r\n'))).not.toBe(messageIdFromRaw(raw));
  });

  it('is itself a valid Message-ID', () => {
    const id = messageIdFromRaw(Buffer.from(''));
    expect(normalizeMessageId(id)).toBe(id);
  });
});

describe('messageIdDomain', () => {
  it.each([
    ['<abc@Mail.Example.com>', 'mail.example.com'],
    ['abc@example.com', 'example.com'],
    ['garbage', null],
    [null, null],
  ])('%j → %j', (value, expected) => {
    expect(messageIdDomain(value)).toBe(expected);
  });
});
