import type { EmailIdentity, MailAddress, MailSendRequestedPayload } from '@ensoras/contracts';
import { composeReplyBodies, normalizeMessageId, parseMessageIdList, replySubject } from '@ensoras/mail';
import MailComposer from 'nodemailer/lib/mail-composer';
import type Mail from 'nodemailer/lib/mailer';

/**
 * Headers by author. The AI's replies are automatic: Auto-Submitted (RFC 3834) and X-Auto-Response-Suppress keep
 * well-behaved auto-responders (vacation notices, Exchange's out-of-office) from answering them. An agent's reply is
 * a person's mail, which RFC 3834 says must not be marked so (some systems filter such mail). Every reply carries
 * X-Ensoras-Loop, so mail-ingest and ai-responder recognise our own mail if it ever comes back.
 */
export function replyHeaders(projectId: string, author: 'ai' | 'agent'): Record<string, string> {
  const ours = { 'X-Ensoras-Loop': projectId };
  return author === 'ai' ? { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All', ...ours } : ours;
}

/** What is wrong with a request so that no mail can be built from it, or null when it is usable. */
export function requestProblem(request: MailSendRequestedPayload): string | null {
  if (normalizeMessageId(request.messageId) === null) return `messageId "${String(request.messageId)}" is not a Message-ID`;
  if (!Array.isArray(request.to) || request.to.filter(hasAddress).length === 0) return 'the mail has no recipient';
  if (typeof request.text !== 'string') return 'the mail has no text';
  return null;
}

/**
 * nodemailer's options for one reply: From the channel's identity, To/Cc from the request, exactly one "Re: ",
 * exactly the Message-ID ticketing recorded, the thread's In-Reply-To and References, and a text and an HTML
 * part, each with the channel's signature. The SMTP envelope sender is the identity's address, so bounces come back
 * to the channel's mailbox.
 */
export function composeReplyMail(projectId: string, request: MailSendRequestedPayload, identity: EmailIdentity): Mail.Options {
  const to = request.to.filter(hasAddress).map(toNodemailerAddress);
  const cc = (request.cc ?? []).filter(hasAddress).map(toNodemailerAddress);
  const inReplyTo = normalizeMessageId(request.inReplyTo);
  const bodies = composeReplyBodies({ text: request.text, html: request.html, signatureHtml: identity.signatureHtml });
  return {
    from: { name: identity.fromName, address: identity.fromEmail },
    to,
    ...(cc.length > 0 ? { cc } : {}),
    // replySubject strips every reply/forward prefix and puts back exactly one "Re: ", so "Re: Re:" cannot happen.
    subject: replySubject(request.subject ?? ''),
    messageId: normalizeMessageId(request.messageId) ?? request.messageId,
    ...(inReplyTo ? { inReplyTo } : {}),
    ...threadReferences(request.references, inReplyTo),
    text: bodies.text,
    html: bodies.html,
    headers: replyHeaders(projectId, request.author ?? 'ai'),
    envelope: { from: identity.fromEmail, to: [...to, ...cc].map((recipient) => recipient.address) },
    // Content comes from an AI and customers' mail: never let it name local files or URLs for nodemailer to fetch.
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

/**
 * The mail as the exact RFC 5322 bytes that go over SMTP, composed once: the same bytes are then appended to the
 * mailbox's Sent folder, so the copy there is the mail the customer got (Date and Message-ID included). What is
 * sent is `{ envelope, raw }` with these bytes.
 */
export async function composeRawMessage(options: Mail.Options): Promise<{ raw: Buffer; send: Mail.Options }> {
  // CRLF throughout (RFC 5322): the bodies keep their \n otherwise, which SMTP would turn into CRLF on the wire,
  // so the bytes kept for the Sent folder would differ from those sent (and some IMAP servers refuse bare LF).
  const raw = await new MailComposer({ ...options, newline: '\r\n' }).compile().build();
  return { raw, send: { envelope: options.envelope, raw, disableFileAccess: true, disableUrlAccess: true } };
}

/**
 * The References chain (RFC 5322 3.6.4): the ids ticketing gave, in order, without duplicates, ending with the
 * message answered when the chain lacks it. Space-joined, as the header is written.
 */
function threadReferences(references: readonly string[] | null | undefined, inReplyTo: string | null): { references?: string } {
  const chain = parseMessageIdList([...(references ?? [])]);
  if (inReplyTo !== null && !chain.includes(inReplyTo)) chain.push(inReplyTo);
  return chain.length > 0 ? { references: chain.join(' ') } : {};
}

function hasAddress(recipient: MailAddress | null | undefined): recipient is MailAddress {
  return typeof recipient?.address === 'string' && recipient.address.trim() !== '';
}

function toNodemailerAddress(recipient: MailAddress): { name: string; address: string } {
  return { name: recipient.name ?? '', address: recipient.address.trim() };
}
