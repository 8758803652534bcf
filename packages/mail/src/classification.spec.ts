import type { MailKind } from '@ensoras/contracts';
import addressparser from 'nodemailer/lib/addressparser';
import { describe, expect, it } from 'vitest';
import { classifyMail, isAnswerable, type ClassifiableMail } from './classification.js';
import { headersFromLines } from './mail-headers.js';

const channel = { ownAddresses: ['support@acme.example', 'Help@Acme.example'], ownMessageIdDomain: 'acme.example' };

/** A ClassifiableMail from a raw header block, as an ingest service would build it. */
function mailFromHeaders(block: string): ClassifiableMail {
  const lines: { key: string; line: string }[] = [];
  for (const physical of block.replace(/^\n/, '').split('\n')) {
    if (/^[ \t]/.test(physical) && lines.length > 0) lines[lines.length - 1]!.line += `\r\n${physical}`;
    else if (physical.trim() !== '') lines.push({ key: physical.slice(0, physical.indexOf(':')).toLowerCase(), line: physical });
  }
  const headers = headersFromLines(lines);
  const parsedFrom = headers.from ? addressparser(headers.from, { flatten: true })[0] : undefined;
  return {
    headers,
    contentType: headers['content-type'] ?? null,
    from: parsedFrom ? { address: parsedFrom.address ?? '', name: parsedFrom.name ?? '' } : null,
    subject: headers.subject ?? '',
    messageId: headers['message-id'] ?? null,
  };
}

const fixtures: Record<string, { raw: string; kind: MailKind; reasons: string[] }> = {
  'a customer writing': {
    raw: `
From: Anna Example <anna@customer.example>
To: support@acme.example
Subject: My order has not arrived
Message-ID: <CAB1234@mail.gmail.com>
Content-Type: text/plain; charset=UTF-8
`,
    kind: 'normal',
    reasons: [],
  },
  'a customer replying, with Auto-Submitted: no': {
    raw: `
From: anna@customer.example
Subject: Re: My order has not arrived
Auto-Submitted: no
In-Reply-To: <3f1c@acme.example>
`,
    kind: 'normal',
    reasons: [],
  },
  'Gmail vacation responder': {
    raw: `
From: Anna Example <anna@gmail.example>
To: support@acme.example
Subject: Out of office
Auto-Submitted: auto-replied
Precedence: bulk
Message-ID: <CAVac123@mail.gmail.com>
In-Reply-To: <3f1c@acme.example>
Content-Type: text/plain; charset="UTF-8"
`,
    kind: 'out-of-office',
    reasons: ['Auto-Submitted: auto-replied', 'Precedence: bulk', 'Subject names an absence'],
  },
  'Exchange Automatic reply (OOF)': {
    raw: `
From: "Neko, Nyaan" <nyaan@corp.example>
To: Acme Support <support@acme.example>
Subject: Automatic reply: Your ticket #42
Thread-Topic: Your ticket #42
X-Auto-Response-Suppress: All
X-MS-Exchange-Inbox-Rules-Loop: nyaan@corp.example
X-MS-TNEF-Correlator:
Content-Type: text/plain; charset="us-ascii"
`,
    kind: 'out-of-office',
    reasons: [
      'X-Auto-Response-Suppress: All',
      'X-MS-Exchange-Inbox-Rules-Loop present',
      'Subject starts with an auto-reply prefix',
      'Subject names an absence',
    ],
  },
  'Zimbra vacation': {
    raw: `
From: bob@zimbra.example
Subject: Re: Your ticket #42
Auto-Submitted: auto-replied; vacation
`,
    kind: 'out-of-office',
    reasons: ['Auto-Submitted: auto-replied; vacation'],
  },
  'an auto-responder that is not an absence notice': {
    raw: `
From: tickets@shop.example
Subject: We received your request [#1234]
Auto-Submitted: auto-replied
X-Autoreply: yes
X-Loop: tickets@shop.example
`,
    kind: 'auto-reply',
    reasons: ['Auto-Submitted: auto-replied', 'X-Autoreply: yes', 'X-Loop present'],
  },
  'Exchange auto-response suppression with OOF token': {
    raw: `
From: system@corp.example
Subject: Notification
X-Auto-Response-Suppress: DR, OOF, AutoReply
`,
    kind: 'auto-reply',
    reasons: ['X-Auto-Response-Suppress: DR, OOF, AutoReply'],
  },
  'X-Auto-Response-Suppress without a reply token': {
    raw: `
From: colleague@corp.example
Subject: Question about invoice
X-Auto-Response-Suppress: DR, RN
`,
    kind: 'normal',
    reasons: [],
  },
  'X-Autorespond': {
    raw: `
From: info@shop.example
Subject: Thanks for your mail
X-Autorespond: Thanks for your mail
`,
    kind: 'auto-reply',
    reasons: ['X-Autorespond: Thanks for your mail'],
  },
  'Precedence: junk': {
    raw: `
From: promo@shop.example
Subject: Deals
Precedence: junk
`,
    kind: 'auto-reply',
    reasons: ['Precedence: junk'],
  },
  'mailing-list digest': {
    raw: `
From: users-request@lists.example.org
To: users@lists.example.org
Subject: users Digest, Vol 12, Issue 3
List-Id: Users of Example <users.lists.example.org>
List-Unsubscribe: <mailto:users-request@lists.example.org?subject=unsubscribe>
Precedence: list
Content-Type: multipart/mixed; boundary="===============1=="
`,
    kind: 'mailing-list',
    reasons: [
      'List-Id: Users of Example <users.lists.example.org>',
      'List-Unsubscribe present',
      'Precedence: list',
    ],
  },
  'newsletter with only List-Unsubscribe': {
    raw: `
From: news@brand.example
Subject: Our spring collection
List-Unsubscribe: <https://brand.example/unsub?u=1>
`,
    kind: 'mailing-list',
    reasons: ['List-Unsubscribe present'],
  },
  'read receipt (MDN)': {
    raw: `
From: anna@customer.example
Subject: Read: Your ticket #42
Content-Type: multipart/report; report-type=disposition-notification;
	boundary="----=_NextPart_000_0001"
`,
    kind: 'read-receipt',
    reasons: ['Content-Type: multipart/report; report-type=disposition-notification'],
  },
  'DSN bounce from Postfix': {
    raw: `
Return-Path: <>
From: MAILER-DAEMON@mx.acme.example (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: support@acme.example
Auto-Submitted: auto-replied
Content-Type: multipart/report; report-type=delivery-status;
	boundary="8C2E5.1700000000/mx.acme.example"
`,
    kind: 'bounce',
    reasons: [
      'Content-Type: multipart/report; report-type=delivery-status',
      'From: MAILER-DAEMON',
      'Return-Path: <> with a multipart/report',
      'Return-Path: <> with a delivery-failure subject',
      'Auto-Submitted: auto-replied',
    ],
  },
  'qmail bounce without a report': {
    raw: `
Return-Path: <>
From: MAILER-DAEMON@mx4.example.jp
Subject: failure notice
`,
    kind: 'bounce',
    reasons: ['From: MAILER-DAEMON', 'Return-Path: <> with a delivery-failure subject'],
  },
  'postmaster bounce': {
    raw: `
From: postmaster@corp.example
Subject: Undeliverable: Your ticket #42
Content-Type: multipart/mixed; boundary="b"
`,
    kind: 'bounce',
    reasons: ['From: postmaster'],
  },
  'Exim with X-Failed-Recipients': {
    raw: `
From: Mail Delivery System <Mailer-Daemon@exim.example>
Subject: Mail delivery failed: returning message to sender
X-Failed-Recipients: nobody@customer.example
Auto-Submitted: auto-replied
`,
    kind: 'bounce',
    reasons: ['From: Mailer-Daemon', 'X-Failed-Recipients present', 'Auto-Submitted: auto-replied'],
  },
  'a null Return-Path alone is no bounce': {
    raw: `
Return-Path: <>
From: anna@customer.example
Subject: Hello
`,
    kind: 'normal',
    reasons: [],
  },
  'abuse feedback report (ARF)': {
    raw: `
From: staff@isp.example
Subject: FW: Your ticket #42
Content-Type: multipart/report; report-type=feedback-report; boundary="part1"
X-Loop: scomp
`,
    kind: 'feedback-report',
    reasons: ['Content-Type: multipart/report; report-type=feedback-report', 'X-Loop present'],
  },
  'our own address': {
    raw: `
From: Acme Support <Support@Acme.Example>
To: anna@customer.example
Subject: Re: My order has not arrived
Message-ID: <0b7c7ac9-4e8a-4e2f-b8a6-2d4c1f0a9e11@acme.example>
`,
    kind: 'own',
    reasons: ["From is the channel's own address support@acme.example", 'Message-ID is one we generate (on acme.example)'],
  },
  'our own address bouncing back through an auto-reply loop': {
    raw: `
From: help@acme.example
Subject: Automatic reply: Re: Order
Auto-Submitted: auto-replied
Message-ID: <6f0c2d8e-1b7a-4c3d-9e5f-0a1b2c3d4e5f@acme.example>
`,
    kind: 'own',
    reasons: [
      "From is the channel's own address help@acme.example",
      'Message-ID is one we generate (on acme.example)',
      'Auto-Submitted: auto-replied',
      'Subject starts with an auto-reply prefix',
      'Subject names an absence',
    ],
  },
  'our own address, verified by the receiving server (dmarc=pass)': {
    raw: `
Authentication-Results: mx.acme.example; dkim=pass header.d=acme.example;
 spf=pass (sender ok) smtp.mailfrom=bounce@acme.example; dmarc=pass (p=reject) header.from=acme.example
From: support@acme.example
Subject: Sent from the webmail
Message-ID: <CAF1234@mail.gmail.com>
`,
    kind: 'own',
    reasons: ["From is the channel's own address support@acme.example", 'Authentication-Results (mx.acme.example): dmarc=pass for acme.example'],
  },
  'our own address forged: no id of ours, no authentication': {
    raw: `
From: Acme Support <support@acme.example>
Subject: Re: Order 42
Message-ID: <1234@attacker.example>
In-Reply-To: <0b7c7ac9-4e8a-4e2f-b8a6-2d4c1f0a9e11@acme.example>
`,
    kind: 'normal',
    reasons: ["From is the channel's own address support@acme.example but unverified (Message-ID not ours, no dmarc/spf pass in Authentication-Results)"],
  },
  'our own address forged, with a passing result only below the topmost header': {
    raw: `
Authentication-Results: mx.acme.example; spf=fail smtp.mailfrom=support@acme.example; dmarc=fail header.from=acme.example
Authentication-Results: mx.acme.example; dmarc=pass header.from=acme.example
From: support@acme.example
Subject: Hello
Message-ID: <not-ours@acme.example>
`,
    kind: 'normal',
    reasons: ["From is the channel's own address support@acme.example but unverified (Message-ID not ours, no dmarc/spf pass in Authentication-Results)"],
  },
  'our own address forged, passing SPF and DMARC for another domain': {
    raw: `
Authentication-Results: mx.acme.example; spf=pass smtp.mailfrom=x@attacker.example; dmarc=pass header.from=attacker.example
From: support@acme.example
Subject: Hello
`,
    kind: 'normal',
    reasons: ["From is the channel's own address support@acme.example but unverified (Message-ID not ours, no dmarc/spf pass in Authentication-Results)"],
  },
  'our own address forged as an auto-reply: the auto-reply rules decide': {
    raw: `
From: help@acme.example
Subject: Automatic reply: Re: Order
Auto-Submitted: auto-replied
`,
    kind: 'out-of-office',
    reasons: [
      'Auto-Submitted: auto-replied',
      'Subject starts with an auto-reply prefix',
      'Subject names an absence',
      "From is the channel's own address help@acme.example but unverified (Message-ID not ours, no dmarc/spf pass in Authentication-Results)",
    ],
  },
  'a colleague on our domain is not us': {
    raw: `
From: bob@acme.example
Subject: Printer broken
Message-ID: <5e0e5f7c-27a4-4d53-9d39-6b7a1d6bb3a0@acme.example>
`,
    kind: 'normal',
    reasons: [],
  },
};

describe('classifyMail', () => {
  it.each(Object.entries(fixtures))('%s', (_name, { raw, kind, reasons }) => {
    const classification = classifyMail(mailFromHeaders(raw), channel);
    expect(classification.kind).toBe(kind);
    expect(classification.reasons).toEqual(reasons);
  });

  it('ranks own > bounce > feedback-report > read-receipt > out-of-office > auto-reply > mailing-list', () => {
    const base = mailFromHeaders(`
From: support@acme.example
Message-ID: <0b7c7ac9-4e8a-4e2f-b8a6-2d4c1f0a9e11@acme.example>
Subject: Out of office
Content-Type: multipart/report; report-type=delivery-status
Auto-Submitted: auto-replied
List-Id: <x.example>
`);
    expect(classifyMail(base, channel).kind).toBe('own');
    expect(classifyMail(base, { ownAddresses: [] }).kind).toBe('bounce');

    const listAndAuto = mailFromHeaders(`
From: a@b.example
Subject: Weekly news
Auto-Submitted: auto-generated
List-Id: <x.example>
`);
    expect(classifyMail(listAndAuto, channel).kind).toBe('auto-reply');

    const oofAndList = mailFromHeaders(`
From: a@b.example
Subject: Abwesend bis Montag
Auto-Submitted: auto-replied
List-Id: <x.example>
`);
    expect(classifyMail(oofAndList, channel).kind).toBe('out-of-office');
  });

  it('recognises the common auto-reply subject prefixes only when they lead', () => {
    const classify = (subject: string) => classifyMail({ headers: {}, contentType: null, from: { address: 'a@b.example', name: '' }, subject, messageId: null }, channel).kind;
    expect(classify('Auto reply: Nyaan')).toBe('auto-reply');
    expect(classify('Automatische Antwort: Bestellung')).toBe('out-of-office');
    expect(classify('My auto reply: is broken')).toBe('normal');
  });

  it('treats mail without From as normal unless another rule fires', () => {
    expect(classifyMail({ headers: {}, contentType: null, from: null, subject: 'hi', messageId: null }, channel).kind).toBe('normal');
  });

  it('does not decide own by the Message-ID domain alone', () => {
    const mail = mailFromHeaders(`
From: anna@customer.example
Message-ID: <1234@acme.example>
`);
    expect(classifyMail(mail, channel).kind).toBe('normal');
  });
});

describe('isAnswerable', () => {
  it.each<[MailKind, boolean]>([
    ['normal', true],
    ['auto-reply', false],
    ['out-of-office', false],
    ['bounce', false],
    ['feedback-report', false],
    ['read-receipt', false],
    ['mailing-list', false],
    ['own', false],
  ])('%s → %s', (kind, expected) => {
    expect(isAnswerable({ kind, reasons: [] })).toBe(expected);
  });
});
