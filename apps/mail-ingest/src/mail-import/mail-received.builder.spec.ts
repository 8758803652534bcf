import { describe, expect, it } from 'vitest';
import { messageIdFromRaw } from '@ensoras/mail';
import { buildMailReceivedPayload, EventTooLargeError, fitToEventLimit, MAX_BODY_BYTES, truncateUtf8 } from './mail-received.builder.js';

const source = { mailbox: 'INBOX', uidValidity: '1700000000', uid: 7, rawObjectKey: 'p1/1700000000/7' };
const channel = { ownAddresses: ['support@shop.test', 'imap-user@shop.test'], ownMessageIdDomain: 'shop.test', maxMessageSizeBytes: 25 * 1024 * 1024 };

function mail(lines: string[], body = 'Hello'): Buffer {
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}\r\n`);
}

function build(raw: Buffer) {
  return buildMailReceivedPayload(raw, source, channel);
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

  it("recognises the channel's own mail by our Message-ID, not by From alone", async () => {
    const payload = await build(mail(['From: Shop <support@shop.test>', 'Subject: our reply', 'Message-ID: <0b7c7ac9-4e8a-4e2f-b8a6-2d4c1f0a9e11@shop.test>']));
    expect(payload.classification.kind).toBe('own');
    // Our address alone is no proof: anyone can write it into From.
    const forged = await build(mail(['From: Shop <support@shop.test>', 'Subject: our reply', 'Message-ID: <r1@shop.test>']));
    expect(forged.classification).toMatchObject({ kind: 'normal', reasons: [expect.stringContaining('unverified')] });
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
    // cid: images point at their attachment (ensoras-attachment:<index>); this one names none, so it is dropped.
    expect(payload.html).not.toContain('cid:');
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

describe('buildMailReceivedPayload: issue 3 fields', () => {
  it('carries the new part of a reply, the size verdict and no bounce details for a person', async () => {
    const payload = await build(mail(['From: ann@customer.test', 'Subject: Re: Order 42'], 'Thanks!\r\n\r\nOn Tue, 4 Nov 2025, Shop <support@shop.test> wrote:\r\n> Shipped.\r\n'));
    expect(payload).toMatchObject({ newText: 'Thanks!', oversized: false, bounce: null });
    expect(payload.text).toContain('> Shipped.');
  });

  it('applies the channel size limit: oversized, no attachments, still published with its text', async () => {
    const raw = mail(
      ['From: ann@customer.test', 'Subject: big', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="b1"'],
      ['--b1', 'Content-Type: text/plain', '', 'See attached', '--b1', 'Content-Type: application/zip; name="a.zip"', 'Content-Disposition: attachment; filename="a.zip"', 'Content-Transfer-Encoding: base64', '', Buffer.alloc(2048).toString('base64'), '--b1--'].join('\r\n'),
    );
    const payload = await buildMailReceivedPayload(raw, source, { ...channel, maxMessageSizeBytes: 1024 });
    expect(payload).toMatchObject({ oversized: true, attachments: [], text: 'See attached' });
  });

  it('gives the bounce details of a delivery-status report', async () => {
    const raw = mail(
      ['Return-Path: <>', 'From: MAILER-DAEMON@mx.customer.test', 'Subject: Undelivered Mail Returned to Sender', 'MIME-Version: 1.0', 'Content-Type: multipart/report; report-type=delivery-status; boundary="r"'],
      ['--r', 'Content-Type: text/plain', '', 'Could not deliver.', '--r', 'Content-Type: message/delivery-status', '', 'Reporting-MTA: dns; mx.customer.test', '', 'Final-Recipient: rfc822; gone@customer.test', 'Action: failed', 'Status: 5.1.1', '--r', 'Content-Type: text/rfc822-headers', '', 'From: support@shop.test', 'Message-ID: <reply-1@shop.test>', '--r--'].join('\r\n'),
    );
    const payload = await build(raw);
    expect(payload.classification.kind).toBe('bounce');
    expect(payload.bounce).toEqual({ originalMessageId: '<reply-1@shop.test>', recipient: 'gone@customer.test', status: '5.1.1', action: 'failed', diagnostic: null });
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

  it('cuts the new part of a reply along with the text', async () => {
    const payload = { ...(await build(mail(['From: ann@customer.test', 'Subject: s'], 'n'.repeat(30_000)))), html: null };
    expect(payload.newText.length).toBe(30_000);
    const fitted = fitToEventLimit(payload, 20_000);
    expect(Buffer.byteLength(JSON.stringify(fitted))).toBeLessThanOrEqual(20_000);
    expect(fitted.newText.length).toBeLessThan(30_000);
    expect(fitted.newText.length).toBeGreaterThan(1000);
  });

  it('cuts the lists to a few entries when the bodies alone are not enough', async () => {
    const many = Array.from({ length: 60 }, (_, index) => `"Person ${index}" <p${index}@customer.test>`).join(', ');
    const payload = await build(mail(['From: ann@customer.test', `To: ${many}`, `Cc: ${many}`, 'Subject: s'], 'body '.repeat(200)));
    const fitted = fitToEventLimit(payload, 3_000);
    expect(Buffer.byteLength(JSON.stringify(fitted))).toBeLessThanOrEqual(3_000);
    expect(fitted.to).toHaveLength(10);
    expect(fitted.text).toMatch(/\[truncated\]$/u);
  });

  it('refuses when even the headers do not fit', async () => {
    const payload = await build(mail(['From: ann@customer.test', `Subject: ${'s'.repeat(5000)}`]));
    expect(() => fitToEventLimit(payload, 800)).toThrow(EventTooLargeError);
  });
});

describe('truncateUtf8', () => {
  it('never splits a character', () => {
    expect(truncateUtf8('aé', 2)).toBe('a');
    expect(truncateUtf8('a😀b', 4)).toBe('a');
    expect(truncateUtf8('abc', 10)).toBe('abc');
  });
});
