import { describe, expect, it } from 'vitest';
import { messageIdFromRaw } from '@ensoras/mail';
import {
  buildMailReceivedPayload,
  EventTooLargeError,
  fitToEventLimit,
  MAX_BODY_BYTES,
  parseMail,
  truncateUtf8,
} from './mail-received.builder.js';

const source = { mailbox: 'INBOX', uidValidity: '1700000000', uid: 7, rawObjectKey: 'p1/1700000000/7' };
const channel = { ownAddresses: ['support@shop.test', 'imap-user@shop.test'], ownMessageIdDomain: 'shop.test' };

function mail(lines: string[], body = 'Hello'): Buffer {
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}\r\n`);
}

async function build(raw: Buffer) {
  return buildMailReceivedPayload(raw, await parseMail(raw), source, channel);
}

describe('buildMailReceivedPayload', () => {
  it('carries threading headers, addresses, date and the source of the import', async () => {
    const raw = mail([
      'From: "Ann Customer" <ann@customer.test>',
      'To: Support <support@shop.test>, other@shop.test',
      'Cc: boss@customer.test',
      'Reply-To: ann.private@customer.test',
      'Subject: Re: Order 42',
      'Date: Tue, 04 Nov 2025 10:00:00 +0100',
      'Message-ID: <m2@customer.test>',
      'In-Reply-To: <reply-1@shop.test>',
      'References: <m1@customer.test>\r\n <reply-1@shop.test>',
    ]);
    const payload = await build(raw);
    expect(payload).toMatchObject({
      source: { mailbox: 'INBOX', uidValidity: '1700000000', uid: 7 },
      rawObjectKey: 'p1/1700000000/7',
      size: raw.length,
      messageId: '<m2@customer.test>',
      messageIdGenerated: false,
      inReplyTo: '<reply-1@shop.test>',
      references: ['<m1@customer.test>', '<reply-1@shop.test>'],
      subject: 'Re: Order 42',
      from: { address: 'ann@customer.test', name: 'Ann Customer' },
      to: [
        { address: 'support@shop.test', name: 'Support' },
        { address: 'other@shop.test', name: '' },
      ],
      cc: [{ address: 'boss@customer.test', name: '' }],
      replyTo: [{ address: 'ann.private@customer.test', name: '' }],
      date: '2025-11-04T09:00:00.000Z',
      text: 'Hello\n',
      html: null,
      truncated: false,
      attachments: [],
      classification: { kind: 'normal', reasons: [] },
    });
  });

  it('makes up a stable Message-ID from the raw bytes when the mail has none', async () => {
    const raw = mail(['From: ann@customer.test', 'Subject: no id']);
    const first = await build(raw);
    expect(first.messageIdGenerated).toBe(true);
    expect(first.messageId).toBe(messageIdFromRaw(raw));
    expect((await build(raw)).messageId).toBe(first.messageId);
  });

  it('keeps the loop-relevant headers and classifies auto-replies', async () => {
    const payload = await build(
      mail([
        'From: ann@customer.test',
        'Subject: Out of office: Order 42',
        'Auto-Submitted: auto-replied',
        'Precedence: bulk',
        'X-Ensoras-Loop: shop.test',
        'Return-Path: <ann@customer.test>',
        'X-Unrelated: dropped',
      ]),
    );
    expect(payload.headers).toMatchObject({
      'auto-submitted': 'auto-replied',
      precedence: 'bulk',
      'x-ensoras-loop': 'shop.test',
      'return-path': '<ann@customer.test>',
    });
    expect(payload.headers['x-unrelated']).toBeUndefined();
    expect(payload.classification.kind).toBe('out-of-office');
  });

  it("recognises the channel's own mail", async () => {
    const payload = await build(mail(['From: Shop <support@shop.test>', 'Subject: our reply', 'Message-ID: <r1@shop.test>']));
    expect(payload.classification.kind).toBe('own');
  });

  it('takes the text from the HTML when there is no text part, and lists attachments without their content', async () => {
    const raw = mail(
      [
        'From: ann@customer.test',
        'Subject: html only',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="b1"',
      ],
      [
        '--b1',
        'Content-Type: text/html; charset=utf-8',
        '',
        '<p>Hello <b>there</b></p><img src="cid:logo@x">',
        '--b1',
        'Content-Type: application/pdf; name="invoice.pdf"',
        'Content-Disposition: attachment; filename="invoice.pdf"',
        'Content-Transfer-Encoding: base64',
        '',
        Buffer.from('%PDF-1.4 fake').toString('base64'),
        '--b1--',
      ].join('\r\n'),
    );
    const payload = await build(raw);
    expect(payload.html).toContain('<b>there</b>');
    // cid: links stay as they are (no data: URIs blowing up the event).
    expect(payload.html).toContain('cid:logo@x');
    expect(payload.text).toBe('Hello there');
    expect(payload.attachments).toEqual([
      { filename: 'invoice.pdf', contentType: 'application/pdf', size: 13, contentId: null, inline: false },
    ]);
  });

  it('cuts text and HTML at 256 KiB each and says so', async () => {
    const long = 'x'.repeat(MAX_BODY_BYTES + 1000);
    const payload = await build(mail(['From: ann@customer.test', 'Subject: long'], long));
    expect(Buffer.byteLength(payload.text)).toBe(MAX_BODY_BYTES);
    expect(payload.truncated).toBe(true);
  });

  it('gives a missing or unreadable Date as null', async () => {
    expect((await build(mail(['From: ann@customer.test', 'Date: yesterday-ish']))).date).toBeNull();
    expect((await build(mail(['From: ann@customer.test']))).date).toBeNull();
  });
});

describe('fitToEventLimit', () => {
  it('leaves a payload that fits alone', async () => {
    const payload = await build(mail(['From: ann@customer.test', 'Subject: s']));
    expect(fitToEventLimit(payload, 100_000)).toBe(payload);
  });

  it('drops the HTML first, then cuts the text, until the event fits', async () => {
    const payload = { ...(await build(mail(['From: ann@customer.test', 'Subject: s'], '"quoted" '.repeat(5000)))), html: '<p>' + 'y'.repeat(30_000) + '</p>' };
    const fitted = fitToEventLimit(payload, 20_000);
    expect(Buffer.byteLength(JSON.stringify(fitted))).toBeLessThanOrEqual(20_000);
    expect(fitted.html).toBeNull();
    expect(fitted.truncated).toBe(true);
    expect(fitted.text.length).toBeGreaterThan(1000);
  });

  it('refuses when even the headers do not fit', async () => {
    const payload = await build(mail(['From: ann@customer.test', `Subject: ${'s'.repeat(5000)}`]));
    expect(() => fitToEventLimit(payload, 2_000)).toThrow(EventTooLargeError);
  });
});

describe('truncateUtf8', () => {
  it('never splits a character', () => {
    expect(truncateUtf8('aé', 2)).toBe('a');
    expect(truncateUtf8('a😀b', 4)).toBe('a');
    expect(truncateUtf8('abc', 10)).toBe('abc');
  });
});
