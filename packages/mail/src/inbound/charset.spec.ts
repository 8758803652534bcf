import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodeHeaderBytes, decodeText } from './charset.js';

const bytes = (text: string, charset: string): Buffer => iconv.encode(text, charset);

describe('decodeText', () => {
  it.each([
    ['gb2312', 'gb2312', bytes('你好，世界', 'gb2312'), '你好，世界'],
    ['gb2312 label on GBK text (what mail clients really send)', 'gb2312', bytes('你好 镕', 'gbk'), '你好 镕'],
    ['ks_c_5601-1987', 'ks_c_5601-1987', bytes('안녕하세요', 'cp949'), '안녕하세요'],
    ['big5', 'big5', bytes('繁體中文', 'big5'), '繁體中文'],
    ['shift_jis', 'shift_jis', bytes('日本語のテキスト', 'shift_jis'), '日本語のテキスト'],
    ['windows-1251', 'windows-1251', bytes('Привет', 'windows-1251'), 'Привет'],
    ['koi8-r', 'koi8-r', bytes('Привет', 'koi8-r'), 'Привет'],
    ['unicode-1-1-utf-7', 'unicode-1-1-utf-7', Buffer.from('Gr+APwA3w-e +ADw-b+AD4-'), 'Grüße <b>'],
    ['utf-7', 'UTF-7', Buffer.from('Gr+APwA3w-e'), 'Grüße'],
  ])('%s', (_name, charset, input, expected) => {
    expect(decodeText(input, charset)).toBe(expected);
  });

  it('windows-1258 with its combining tone marks', () => {
    // "Tiếng Việt": ê (0xEA) + combining acute (0xEC), ê + combining dot below (0xF2).
    const input = Buffer.from([0x54, 0x69, 0xea, 0xec, 0x6e, 0x67, 0x20, 0x56, 0x69, 0xea, 0xf2, 0x74]);
    expect(decodeText(input, 'windows-1258').normalize('NFC')).toBe('Tiếng Việt');
  });

  it('ISO-2022-JP, and EUC-JP or Shift_JIS that claims to be ISO-2022-JP', () => {
    const jis = Buffer.from('\x1b$BF|K\\8l\x1b(B', 'latin1');
    expect(decodeText(jis, 'iso-2022-jp')).toBe('日本語');
    expect(decodeText(bytes('日本語のメール', 'euc-jp'), 'ISO-2022-JP')).toBe('日本語のメール');
    expect(decodeText(bytes('送信できませんでした', 'shift_jis'), 'iso-2022-jp')).toBe('送信できませんでした');
  });

  it('ISO-2022-JP escapes in a part labelled us-ascii or not labelled at all', () => {
    const jis = Buffer.from('User \x1b$BF|K\\8l\x1b(B unknown', 'latin1');
    expect(decodeText(jis, 'us-ascii')).toBe('User 日本語 unknown');
    expect(decodeText(jis, null)).toBe('User 日本語 unknown');
  });

  it('8-bit bytes under us-ascii, utf-8 or no label: UTF-8 when they are, else windows-1252', () => {
    expect(decodeText(Buffer.from('Grüße', 'utf8'), 'us-ascii')).toBe('Grüße');
    expect(decodeText(Buffer.from('Gr\xfc\xdfe \x80', 'latin1'), 'us-ascii')).toBe('Grüße €');
    expect(decodeText(Buffer.from('Gr\xfc\xdfe', 'latin1'), 'utf-8')).toBe('Grüße');
    expect(decodeText(Buffer.from('Gr\xfc\xdfe', 'latin1'), undefined)).toBe('Grüße');
    expect(decodeText(Buffer.from('caf\xe9', 'latin1'), 'iso-8859-1')).toBe('café');
  });

  it('an unknown label: UTF-8 when valid, else windows-1252; never throws', () => {
    expect(decodeText(Buffer.from('naïve', 'utf8'), 'x-unknown')).toBe('naïve');
    expect(decodeText(Buffer.from('na\xefve', 'latin1'), 'klingon-8')).toBe('naïve');
    expect(decodeText(Buffer.from('abc'), '"base64"')).toBe('abc');
  });

  it('drops a byte order mark', () => {
    expect(decodeText(Buffer.from('\ufeffHello', 'utf8'), 'utf-8')).toBe('Hello');
  });
});

describe('decodeHeaderBytes', () => {
  it('keeps UTF-8 (RFC 6532) as it is', () => {
    expect(decodeHeaderBytes(Buffer.from('Subject: Grüße', 'utf8'), 'windows-1252')).toBe('Subject: Grüße');
  });

  it('reads other 8-bit bytes in the charset the mail names, else windows-1252', () => {
    expect(decodeHeaderBytes(Buffer.from('Subject: Forma\xe7\xe3o', 'latin1'), null)).toBe('Subject: Formação');
    expect(decodeHeaderBytes(Buffer.concat([Buffer.from('Subject: '), bytes('Привет', 'koi8-r')]), 'koi8-r')).toBe('Subject: Привет');
  });
});
