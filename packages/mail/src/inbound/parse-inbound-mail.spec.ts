import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { messageIdFromRaw } from '../message-id.js';
import { readInboundAttachments, parseInboundMail } from './parse-inbound-mail.js';

const channel = { ownAddresses: ['support@acme.example'], ownMessageIdDomain: 'acme.example', maxMessageSizeBytes: 25 * 1024 * 1024 };

/** A raw mail: header lines, a blank line, the body; CRLF throughout. */
const eml = (headers: string[], body: string | Buffer = 'Hello'): Buffer =>
  Buffer.concat([Buffer.from(`${headers.join('\r\n')}\r\n\r\n`, 'latin1'), typeof body === 'string' ? Buffer.from(body.replace(/\r?\n/gu, '\r\n'), 'utf8') : body]);

const parse = (raw: Buffer, overrides: Partial<typeof channel> = {}) => parseInboundMail(raw, { ...channel, ...overrides });

describe('parseInboundMail: one fixture per classification rule', () => {
  it.each([
    {
      name: 'Gmail vacation responder',
      raw: eml([
        'From: Anna Example <anna@gmail.example>',
        'To: support@acme.example',
        'Subject: Out of Office: Re: Your ticket #42',
        'Auto-Submitted: auto-replied',
        'Precedence: bulk',
        'X-Autoreply: yes',
        'Message-ID: <CAVac123@mail.gmail.example>',
        'In-Reply-To: <r1@acme.example>',
        'Content-Type: text/plain; charset="UTF-8"',
      ], 'I am on vacation until Monday.'),
      kind: 'out-of-office',
      reasons: ['Auto-Submitted: auto-replied', 'X-Autoreply: yes', 'Precedence: bulk', 'Subject starts with an auto-reply prefix', 'Subject names an absence'],
    },
    {
      name: 'Exchange OOF (Automatic reply)',
      raw: eml([
        'From: "Neko, Nyaan" <nyaan@corp.example>',
        'To: Acme Support <support@acme.example>',
        'Subject: Automatic reply: Your ticket #42',
        'Thread-Topic: Your ticket #42',
        'X-Auto-Response-Suppress: All',
        'X-MS-Exchange-Inbox-Rules-Loop: nyaan@corp.example',
        'Content-Type: text/plain; charset="us-ascii"',
      ], 'I am out of the office.'),
      kind: 'out-of-office',
      reasons: ['X-Auto-Response-Suppress: All', 'X-MS-Exchange-Inbox-Rules-Loop present', 'Subject starts with an auto-reply prefix', 'Subject names an absence'],
    },
    {
      name: 'Zimbra vacation',
      raw: eml(['From: bob@zimbra.example', 'To: support@acme.example', 'Subject: Re: Your ticket #42', 'Auto-Submitted: auto-replied; vacation'], 'Away.'),
      kind: 'out-of-office',
      reasons: ['Auto-Submitted: auto-replied; vacation'],
    },
    {
      name: 'mailing-list digest',
      raw: eml(
        [
          'From: users-request@lists.example.org',
          'To: users@lists.example.org',
          'Subject: users Digest, Vol 12, Issue 3',
          'List-Id: Users of Example <users.lists.example.org>',
          'List-Unsubscribe: <mailto:users-request@lists.example.org?subject=unsubscribe>',
          'Precedence: list',
          'MIME-Version: 1.0',
          'Content-Type: multipart/mixed; boundary="===1=="',
        ],
        '--===1==\nContent-Type: text/plain\n\nToday\'s Topics:\n  1. Hello\n--===1==\nContent-Type: multipart/digest; boundary="===2=="\n\n--===2==\n\nFrom: a@b.example\nSubject: Hello\n\nHi all\n--===2==--\n--===1==--\n',
      ),
      kind: 'mailing-list',
      reasons: ['List-Id: Users of Example <users.lists.example.org>', 'List-Unsubscribe present', 'Precedence: list'],
    },
    {
      name: 'read receipt (MDN)',
      raw: eml(
        [
          'From: anna@customer.example',
          'To: support@acme.example',
          'Subject: Read: Your ticket #42',
          'MIME-Version: 1.0',
          'Content-Type: multipart/report; report-type=disposition-notification; boundary="mdn"',
        ],
        '--mdn\nContent-Type: text/plain\n\nYour message was read.\n--mdn\nContent-Type: message/disposition-notification\n\nFinal-Recipient: rfc822; anna@customer.example\nOriginal-Message-ID: <r1@acme.example>\nDisposition: manual-action/MDN-sent-manually; displayed\n--mdn--\n',
      ),
      kind: 'read-receipt',
      reasons: ['Content-Type: multipart/report; report-type=disposition-notification'],
    },
    {
      name: "the channel's own address",
      raw: eml(['From: Acme Support <Support@Acme.Example>', 'To: anna@customer.example', 'Subject: Re: Order', 'Message-ID: <0b7c7ac9-4e8a-4e2f-b8a6-2d4c1f0a9e11@acme.example>'], 'Our reply'),
      kind: 'own',
      reasons: ["From is the channel's own address support@acme.example", 'Message-ID is one we generate (on acme.example)'],
    },
    {
      name: "the channel's own address, forged",
      raw: eml(['From: Acme Support <Support@Acme.Example>', 'To: anna@customer.example', 'Subject: Re: Order', 'Message-ID: <0b7c7ac9@acme.example>'], 'Send me the refund'),
      kind: 'normal',
      reasons: ["From is the channel's own address support@acme.example but unverified (Message-ID not ours, no dmarc/spf pass in Authentication-Results)"],
    },
    {
      name: 'a customer writing',
      raw: eml(['From: anna@customer.example', 'To: support@acme.example', 'Subject: My order', 'Message-ID: <c1@customer.example>'], 'Where is it?'),
      kind: 'normal',
      reasons: [],
    },
  ])('$name → $kind', async ({ raw, kind, reasons }) => {
    const mail = await parse(raw);
    expect(mail.classification).toEqual({ kind, reasons });
    expect(mail.bounce).toBeNull();
  });
});

describe('parseInboundMail: bounces of our replies', () => {
  const ourReply = ['From: Acme Support <support@acme.example>', 'To: nobody@customer.example', 'Subject: Re: Order', 'Message-ID: <reply-7@acme.example>', '', 'Our answer'].join('\n');

  it('reads the delivery-status part and the Message-ID of the returned message', async () => {
    const mail = await parse(
      eml(
        [
          'Return-Path: <>',
          'From: Mail Delivery System <MAILER-DAEMON@mx.customer.example>',
          'To: support@acme.example',
          'Subject: Undelivered Mail Returned to Sender',
          'Message-ID: <bounce-1@mx.customer.example>',
          'MIME-Version: 1.0',
          'Content-Type: multipart/report; report-type=delivery-status; boundary="b"',
        ],
        `--b\nContent-Type: text/plain\n\nI'm sorry to have to inform you that your message could not be delivered.\n--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.customer.example\n\nFinal-Recipient: rfc822; nobody@customer.example\nOriginal-Recipient: rfc822;nobody@customer.example\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 <nobody@customer.example>: Recipient address rejected: User unknown\n--b\nContent-Type: message/rfc822\n\n${ourReply}\n--b--\n`,
      ),
    );
    expect(mail.classification.kind).toBe('bounce');
    expect(mail.classification.reasons).toContain('Content-Type: multipart/report; report-type=delivery-status');
    expect(mail.bounce).toEqual({
      originalMessageId: '<reply-7@acme.example>',
      recipient: 'nobody@customer.example',
      status: '5.1.1',
      action: 'failed',
      diagnostic: '550 5.1.1 <nobody@customer.example>: Recipient address rejected: User unknown',
    });
  });

  it('reads a delay warning that returns only the headers (text/rfc822-headers)', async () => {
    const mail = await parse(
      eml(
        [
          'Return-Path: <>',
          'From: MAILER-DAEMON@mx.customer.example',
          'To: support@acme.example',
          'Subject: Delayed Mail (still being retried)',
          'MIME-Version: 1.0',
          'Content-Type: multipart/report; report-type=delivery-status; boundary="b"',
        ],
        `--b\nContent-Type: text/plain\n\nYour message has not been delivered yet. The server keeps trying.\n--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.customer.example\n\nFinal-Recipient: rfc822; slow@customer.example\nAction: delayed\nStatus: 4.4.1\nDiagnostic-Code: smtp; 421 4.4.1 Connection timed out\n--b\nContent-Type: text/rfc822-headers\n\n${ourReply.split('\n\n')[0]}\n--b--\n`,
      ),
    );
    expect(mail.bounce).toEqual({
      originalMessageId: '<reply-7@acme.example>',
      recipient: 'slow@customer.example',
      status: '4.4.1',
      action: 'delayed',
      diagnostic: '421 4.4.1 Connection timed out',
    });
  });

  it('reads a qmail-style bounce with the returned mail quoted in the text', async () => {
    const mail = await parse(
      eml(
        ['Return-Path: <>', 'From: MAILER-DAEMON@mx.customer.example', 'To: support@acme.example', 'Subject: failure notice'],
        `Hi. This is the qmail-send program at mx.customer.example.\nI'm afraid I wasn't able to deliver your message to the following addresses.\n\n<gone@customer.example>:\n192.0.2.1 does not like recipient.\nRemote host said: 550 5.1.1 unknown user\n\n--- Below this line is a copy of the message.\n\nReturn-Path: <support@acme.example>\n${ourReply}\n`,
      ),
    );
    expect(mail.classification.kind).toBe('bounce');
    expect(mail.bounce).toEqual({
      originalMessageId: '<reply-7@acme.example>',
      recipient: 'gone@customer.example',
      status: '5.1.1',
      action: 'failed',
      diagnostic: 'Remote host said: 550 5.1.1 unknown user',
    });
  });
});

describe('parseInboundMail: text, new part and HTML', () => {
  it('keeps the full text and gives the new part of a reply without the quote and signature', async () => {
    const mail = await parse(
      eml(
        ['From: anna@customer.example', 'Subject: Re: Order 42', 'In-Reply-To: <r1@acme.example>'],
        'Thanks, the parcel arrived.\n\nAnna\n-- \nAnna Example, Example Ltd.\n\nOn Tue, 4 Nov 2025 at 10:00, Acme Support <support@acme.example> wrote:\n> Your parcel is on its way.\n> Acme\n',
      ),
    );
    expect(mail.text).toContain('> Your parcel is on its way.');
    expect(mail.newText).toBe('Thanks, the parcel arrived.\n\nAnna');
  });

  it('gives the whole text as new part when nothing was quoted', async () => {
    const mail = await parse(eml(['From: anna@customer.example', 'Subject: Hi'], 'Just a question.\n'));
    expect(mail.newText).toBe('Just a question.');
  });

  it('sanitises HTML: no scripts, handlers or javascript: links; tables, links and formatting stay; cid: → ensoras-attachment:<index>', async () => {
    const png = Buffer.from('89504e470d0a1a0a', 'hex').toString('base64');
    const mail = await parse(
      eml(
        ['From: anna@customer.example', 'Subject: html', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="m"'],
        [
          '--m',
          'Content-Type: multipart/related; boundary="r"',
          '',
          '--r',
          'Content-Type: text/html; charset=utf-8',
          '',
          '<html><head><style>p{color:red}</style><script>alert(1)</script></head><body onload="steal()">',
          '<p style="color: #333; background-image: url(https://t.example/p.gif)"><b>Hello</b> <a href="javascript:alert(2)">click</a> <a href="https://shop.example/order/42" onclick="x()">order</a></p>',
          '<table border="1"><tr><td colspan="2">cell</td></tr></table>',
          '<img src="cid:logo@acme" alt="logo"><img src="cid:unknown@x" alt="gone"><img src="https://t.example/open.gif" width="1" height="1">',
          '<form action="https://evil.example"><input name="pw"></form><iframe src="https://evil.example"></iframe>',
          '</body></html>',
          '--r',
          'Content-Type: image/png',
          'Content-ID: <logo@acme>',
          'Content-Transfer-Encoding: base64',
          '',
          png,
          '--r--',
          '--m',
          'Content-Type: application/pdf; name="invoice.pdf"',
          'Content-Disposition: attachment; filename="invoice.pdf"',
          'Content-Transfer-Encoding: base64',
          '',
          Buffer.from('%PDF-1.4 fake').toString('base64'),
          '--m--',
          '',
        ].join('\n'),
      ),
    );
    expect(mail.attachments).toEqual([
      { filename: null, contentType: 'image/png', size: 8, contentId: '<logo@acme>', inline: true },
      { filename: 'invoice.pdf', contentType: 'application/pdf', size: 13, contentId: null, inline: false },
    ]);
    const html = mail.html!;
    expect(html).not.toMatch(/script|onload|onclick|javascript:|alert|<form|<input|<iframe|url\(|color:red/iu);
    expect(html).toContain('<b>Hello</b>');
    expect(html).toContain('<a href="https://shop.example/order/42" target="_blank" rel="noopener noreferrer nofollow">order</a>');
    expect(html).toContain('<td colspan="2">cell</td>');
    expect(html).toContain('style="color:#333"');
    expect(html).toContain('<img alt="logo" src="ensoras-attachment:0" />');
    expect(html).toContain('<img alt="gone" />');
    expect(html).not.toContain('open.gif');
    expect(mail.text).toContain('Hello');
  });
});

describe('parseInboundMail: mail as it really arrives', () => {
  it('decodes 8-bit headers without a charset', async () => {
    const mail = await parse(eml(['From: J\xfcrgen M\xfcller <jm@customer.example>', 'Subject: Gr\xfc\xdfe aus M\xfcnchen', 'Content-Type: text/plain; charset=iso-8859-1'], Buffer.from('Sch\xf6ne Gr\xfc\xdfe', 'latin1')));
    expect(mail.subject).toBe('Grüße aus München');
    expect(mail.from).toEqual({ address: 'jm@customer.example', name: 'Jürgen Müller' });
    expect(mail.text.trim()).toBe('Schöne Grüße');
  });

  it.each([
    ['UTF-7', 'unicode-1-1-utf-7', '7bit', Buffer.from('Gr+APwA3w-e, +ADw-b+AD4-Anna+ADw-/b+AD4-')],
    ['gb2312 in base64', 'gb2312', 'base64', Buffer.from(iconv.encode('你好，我的订单在哪里？', 'gb2312').toString('base64'))],
    ['ks_c_5601-1987 in base64', 'ks_c_5601-1987', 'base64', Buffer.from(iconv.encode('주문이 어디에 있나요?', 'cp949').toString('base64'))],
    ['windows-1258', 'windows-1258', '8bit', Buffer.from([0x54, 0x69, 0xea, 0xec, 0x6e, 0x67, 0x20, 0x56, 0x69, 0xea, 0xf2, 0x74])],
    ['iso-2022-jp', 'iso-2022-jp', '7bit', Buffer.from('\x1b$BCmJ8$O$I$3$G$9$+!)\x1b(B', 'latin1')],
  ])('decodes a %s body', async (_name, charset, encoding, body) => {
    const expected: Record<string, string> = {
      'unicode-1-1-utf-7': 'Grüße, <b>Anna</b>',
      gb2312: '你好，我的订单在哪里？',
      'ks_c_5601-1987': '주문이 어디에 있나요?',
      'windows-1258': 'Tiếng Việt',
      'iso-2022-jp': '注文はどこですか？',
    };
    const mail = await parse(eml(['From: a@customer.example', 'Subject: charset', 'MIME-Version: 1.0', `Content-Type: text/plain; charset="${charset}"`, `Content-Transfer-Encoding: ${encoding}`], body));
    expect(mail.text.trim().normalize('NFC')).toBe(expected[charset]);
  });

  it('reads the parts it can of a multipart whose closing boundary never comes', async () => {
    const mail = await parse(
      eml(['From: a@customer.example', 'Subject: cut off', 'MIME-Version: 1.0', 'Content-Type: multipart/alternative; boundary="x"'], '--x\nContent-Type: text/plain\n\nThe first part\n--x\nContent-Type: text/html\n\n<p>The first'),
    );
    expect(mail.text).toContain('The first part');
  });

  it('reads the body of a multipart without a boundary parameter, without the MIME scaffolding', async () => {
    const mail = await parse(
      eml(['From: a@customer.example', 'Subject: no boundary', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed;'], '--abc\nContent-Type: text/plain\n\nPlease call me back.\n--abc--\n'),
    );
    expect(mail.text).toBe('Please call me back.');
  });

  it('puts a placeholder where a uuencoded file sat in the text', async () => {
    const mail = await parse(
      eml(['From: a@customer.example', 'Subject: file'], 'See the file:\n\nbegin 644 hello.txt\n%:&5L;&\\*\n`\nend\n\nRegards\n'),
    );
    expect(mail.text).toBe('See the file:\n\n[uuencoded file: hello.txt]\n\nRegards\n');
  });

  it('lists a TNEF winmail.dat as an attachment and takes the text from the text part', async () => {
    const mail = await parse(
      eml(
        ['From: a@corp.example', 'Subject: Outlook', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="t"'],
        `--t\nContent-Type: text/plain; charset=us-ascii\n\nPlease see attached.\n--t\nContent-Type: application/ms-tnef; name="winmail.dat"\nContent-Disposition: attachment; filename="winmail.dat"\nContent-Transfer-Encoding: base64\n\n${Buffer.from([0x78, 0x9f, 0x3e, 0x22, 0, 0, 1]).toString('base64')}\n--t--\n`,
      ),
    );
    expect(mail.text.trim()).toBe('Please see attached.');
    expect(mail.attachments).toEqual([{ filename: 'winmail.dat', contentType: 'application/ms-tnef', size: 7, contentId: null, inline: false }]);
  });

  it('gives a mail without Message-ID a stable one from its bytes', async () => {
    const raw = eml(['From: a@customer.example', 'Subject: no id']);
    const mail = await parse(raw);
    expect(mail).toMatchObject({ messageId: messageIdFromRaw(raw), messageIdGenerated: true });
  });

  it('marks mail over the size limit oversized and lists no attachments, but keeps its text', async () => {
    const raw = eml(
      ['From: a@customer.example', 'Subject: big', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="s"'],
      `--s\nContent-Type: text/plain\n\nHere is the video.\n--s\nContent-Type: video/mp4; name="v.mp4"\nContent-Disposition: attachment; filename="v.mp4"\nContent-Transfer-Encoding: base64\n\n${Buffer.alloc(3000).toString('base64')}\n--s--\n`,
    );
    const limited = await parse(raw, { maxMessageSizeBytes: 2000 });
    expect(limited).toMatchObject({ oversized: true, attachments: [], size: raw.length });
    expect(limited.text.trim()).toBe('Here is the video.');
    const within = await parse(raw);
    expect(within.oversized).toBe(false);
    expect(within.attachments).toHaveLength(1);
  });

  it('takes the size and the oversized verdict from the declared size when only the start of the mail was fetched', async () => {
    const start = eml(['From: a@customer.example', 'Subject: big', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="s"'], '--s\nContent-Type: text/plain\n\nHere is the video.\n--s\nContent-Type: video/mp4\n\nAAAA');
    const mail = await parseInboundMail(start, { ...channel, maxMessageSizeBytes: 10_000_000 }, { declaredSize: 200_000_000 });
    expect(mail).toMatchObject({ size: 200_000_000, oversized: true, attachments: [] });
    expect(mail.text.trim()).toBe('Here is the video.');
  });

  it('reads attachments with their bytes through the same path: the same list as the event, index for index', async () => {
    const raw = eml(
      ['From: a@customer.example', 'Subject: files', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="s"'],
      [
        '--s',
        'Content-Type: text/plain; charset=iso-8859-1',
        'Content-Transfer-Encoding: quoted-printable',
        '',
        'Gr=FC=DFe, see the files',
        '--s',
        'Content-Type: text/plain; name="notes.txt"',
        'Content-Disposition: attachment; filename="notes.txt"',
        '',
        'my notes',
        '--s',
        `Content-Type: application/pdf; name="${'long'.repeat(100)}.pdf"`,
        'Content-Disposition: attachment',
        'Content-Transfer-Encoding: base64',
        '',
        Buffer.from('%PDF-1.4 fake').toString('base64'),
        '--s--',
        '',
      ].join('\n'),
    );
    const listed = (await parse(raw)).attachments;
    const read = await readInboundAttachments(raw);
    expect(read.map((attachment) => attachment.meta)).toEqual(listed);
    expect(listed).toHaveLength(2);
    expect(listed[1]!.filename).toMatch(/…\[truncated\]$/u);
    expect(read.map((attachment) => attachment.content.toString())).toEqual(['my notes', '%PDF-1.4 fake']);
  });

  it('cuts text at the body limit and says so', async () => {
    const mail = await parseInboundMail(eml(['From: a@customer.example', 'Subject: long'], 'x'.repeat(5000)), channel, { maxBodyBytes: 1000 });
    expect(Buffer.byteLength(mail.text)).toBe(1000);
    expect(mail.truncated).toBe(true);
  });

  it('rejects a mail with more MIME parts than the parser accepts (the importer quarantines it)', async () => {
    const parts = Array.from({ length: 1_100 }, (_, index) => `--b\r\nContent-Type: text/plain\r\n\r\npart ${index}\r\n`).join('');
    const bomb = eml(['From: a@customer.example', 'Subject: too many parts', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="b"'], `${parts}--b--\r\n`);
    await expect(parse(bomb)).rejects.toThrow(/part|node/iu);
  });
});
