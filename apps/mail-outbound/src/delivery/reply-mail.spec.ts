import { describe, expect, it } from 'vitest';
import type { EmailIdentity, MailSendRequestedPayload } from '@ensoras/contracts';
import { composeRawMessage, composeReplyMail, requestProblem } from './reply-mail.js';

const identity: EmailIdentity = {
  fromEmail: 'support@shop.example',
  fromName: 'Shop Support',
  signatureHtml: '<p>Kind regards,<br><b>The Shop team</b></p>',
};

function request(overrides: Partial<MailSendRequestedPayload> = {}): MailSendRequestedPayload {
  return {
    outboundMessageId: 'o-1',
    ticketId: 't-1',
    from: { address: 'support@shop.example', name: 'Shop Support' },
    to: [{ address: 'anna@customer.example', name: 'Anna' }],
    cc: [],
    subject: 'Re: Where is my order?',
    messageId: '<reply-1@shop.example>',
    inReplyTo: '<q-2@customer.example>',
    references: ['<q-1@customer.example>', '<a-1@shop.example>', '<q-2@customer.example>'],
    text: 'Hello Anna,\n\nit ships today.',
    html: null,
    ...overrides,
  };
}

describe('composeReplyMail', () => {
  it.each([
    ['Where is my order?', 'Re: Where is my order?'],
    ['Re: Where is my order?', 'Re: Where is my order?'],
    ['Re: Re: Where is my order?', 'Re: Where is my order?'],
    ['RE: AW: Where is my order?', 'Re: Where is my order?'],
    ['Re[2]: Where is my order?', 'Re: Where is my order?'],
    ['', 'Re: (no subject)'],
  ])('subject %j becomes %j', (subject, expected) => {
    const mail = composeReplyMail('p1', request({ subject }), identity);
    expect(mail.subject).toBe(expected);
    expect(mail.subject).not.toMatch(/^Re: Re:/i);
  });

  it('sends from the channel identity with the exact Message-ID and the thread headers', () => {
    const mail = composeReplyMail('p1', request(), identity);
    expect(mail.from).toEqual({ name: 'Shop Support', address: 'support@shop.example' });
    expect(mail.to).toEqual([{ name: 'Anna', address: 'anna@customer.example' }]);
    expect(mail.messageId).toBe('<reply-1@shop.example>');
    expect(mail.inReplyTo).toBe('<q-2@customer.example>');
    expect(mail.references).toBe('<q-1@customer.example> <a-1@shop.example> <q-2@customer.example>');
    expect(mail.envelope).toEqual({ from: 'support@shop.example', to: ['anna@customer.example'] });
  });

  it('ends References with the answered message when ticketing left it out, without duplicates', () => {
    const mail = composeReplyMail('p1', request({ references: ['<q-1@customer.example>', '<q-1@customer.example>'] }), identity);
    expect(mail.references).toBe('<q-1@customer.example> <q-2@customer.example>');
  });

  it('has no threading headers for a first message', () => {
    const mail = composeReplyMail('p1', request({ inReplyTo: null, references: [] }), identity);
    expect(mail).not.toHaveProperty('inReplyTo');
    expect(mail).not.toHaveProperty('references');
  });

  it("marks the AI's reply as an automatic reply and as ours", () => {
    const mail = composeReplyMail('project-7', request({ author: 'ai' }), identity);
    expect(mail.headers).toEqual({
      'Auto-Submitted': 'auto-replied',
      'X-Auto-Response-Suppress': 'All',
      'X-Ensoras-Loop': 'project-7',
    });
  });

  it("treats a request written before the author field existed as the AI's", () => {
    const { author: _absent, ...legacy } = request();
    expect(composeReplyMail('project-7', legacy, identity).headers).toHaveProperty('Auto-Submitted', 'auto-replied');
  });

  it("marks an agent's reply only as ours: a person's mail is not automatic (RFC 3834)", () => {
    const mail = composeReplyMail('project-7', request({ author: 'agent' }), identity);
    expect(mail.headers).toEqual({ 'X-Ensoras-Loop': 'project-7' });
  });

  it('appends the signature: as text to the text part, as HTML to the HTML part', () => {
    const mail = composeReplyMail('p1', request(), identity);
    expect(mail.text).toBe('Hello Anna,\n\nit ships today.\n\n-- \nKind regards,\nThe Shop team');
    expect(mail.html).toContain('<p>Hello Anna,</p>');
    expect(mail.html).toContain('<div class="signature"><p>Kind regards,<br><b>The Shop team</b></p></div>');
  });

  it('keeps an HTML reply as written', () => {
    const mail = composeReplyMail('p1', request({ html: '<p>Hello <i>Anna</i></p>' }), identity);
    expect(String(mail.html).startsWith('<p>Hello <i>Anna</i></p>')).toBe(true);
  });

  it('sends to Cc recipients too', () => {
    const mail = composeReplyMail('p1', request({ cc: [{ address: 'boss@customer.example', name: '' }] }), identity);
    expect(mail.cc).toEqual([{ name: '', address: 'boss@customer.example' }]);
    expect(mail.envelope).toEqual({ from: 'support@shop.example', to: ['anna@customer.example', 'boss@customer.example'] });
  });

  it('never lets content make nodemailer read files or URLs', () => {
    const mail = composeReplyMail('p1', request(), identity);
    expect(mail.disableFileAccess).toBe(true);
    expect(mail.disableUrlAccess).toBe(true);
  });
});

describe('requestProblem', () => {
  it('accepts a complete request', () => {
    expect(requestProblem(request())).toBeNull();
  });

  it('refuses a request without a usable Message-ID or recipient', () => {
    expect(requestProblem(request({ messageId: 'not an id' }))).toMatch(/Message-ID/);
    expect(requestProblem(request({ to: [] }))).toMatch(/recipient/);
    expect(requestProblem(request({ to: [{ address: ' ', name: 'x' }] }))).toMatch(/recipient/);
  });
});

describe('composeRawMessage', () => {
  it('composes the mail once to bytes, and sends exactly those with the envelope', async () => {
    const options = composeReplyMail('p1', request(), identity);
    const { raw, send } = await composeRawMessage(options);
    const text = raw.toString('utf8');
    expect(text).toMatch(/^Message-ID: <reply-1@shop\.example>\r$/m);
    expect(text).toMatch(/^Date: /m);
    expect(text).toMatch(/^X-Ensoras-Loop: p1\r$/m);
    // Only CRLF line ends: the bytes go over SMTP and into the Sent folder unchanged.
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    // Nothing nodemailer could compose again differently (boundaries, Date): the raw bytes and the envelope.
    expect(send).toEqual({ envelope: options.envelope, raw, disableFileAccess: true, disableUrlAccess: true });
  });
});
