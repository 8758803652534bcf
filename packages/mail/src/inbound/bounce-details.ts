/**
 * What a bounce says about the mail it reports on: its Message-ID, the recipient, the RFC 3463 status, failed or
 * delayed, and the receiving server's words. Read from the RFC 3464 delivery-status part when there is one, from
 * the same fields quoted in the text (a forwarded bounce), from Amazon SES's JSON, and otherwise from what the
 * non-standard formats write in their text (an SMTP reply, a status code, the recipient in angle brackets).
 */
import type { BounceDetails } from '@ensoras/contracts';
import { headersFromLines } from '../mail-headers.js';
import { normalizeMessageId } from '../message-id.js';
import { sesNotificationOf } from './amazon-ses.js';
import type { MimePart } from './mime-normalizer.js';

export interface BounceSource {
  /** Decoded body text (mailparser puts a delivery-status part's fields into it too). */
  text: string;
  parts: readonly MimePart[];
  headers: Record<string, string>;
  subject: string;
  /** The bounce's own Message-ID, which is never the original's. */
  messageId: string | null;
}

const DELIVERY_STATUS_TYPES = new Set(['message/delivery-status', 'message/global-delivery-status']);
const RETURNED_MESSAGE_TYPES = new Set(['message/rfc822', 'message/global', 'text/rfc822-headers', 'message/rfc822-headers']);
const STATUS_CODE = /\b([245]\.\d{1,3}\.\d{1,3})\b/u;
const QUOTE_PREFIX = /^[ \t]*(?:>[ \t]?)+/u;
/** Where a bounce's own words end and the copy of the returned mail begins. */
const RETURNED_HEADER_LINE = /^(?:return-path|received|message-id|from|to|subject|date|mime-version|content-type):/imu;
const DELAY_SUBJECT = /\bdelay|\bstill (?:not delivered|undeliver)|\bwarning\b|\btemporar|\bwill (?:retry|keep trying)/iu;
const SUCCESS_ACTIONS = new Set(['delivered', 'relayed', 'expanded']);

type Fields = Map<string, string>;

/** RFC 822-style field groups separated by blank lines; quote markers and folding removed, names lower-case. */
function fieldGroups(content: string): Fields[] {
  const groups: Fields[] = [];
  let current: Fields = new Map();
  let last: string | null = null;
  for (const rawLine of content.replace(/\r\n?/gu, '\n').split('\n')) {
    const line = rawLine.replace(QUOTE_PREFIX, '');
    if (line.trim() === '') {
      if (current.size > 0) groups.push(current);
      current = new Map();
      last = null;
      continue;
    }
    const match = /^([A-Za-z][A-Za-z0-9-]*)[ \t]*:(.*)$/u.exec(line);
    if (match) {
      last = match[1]!.toLowerCase();
      if (!current.has(last)) current.set(last, match[2]!.trim());
    } else if (last !== null && /^[ \t]/u.test(line)) {
      current.set(last, `${current.get(last)} ${line.trim()}`);
    }
  }
  if (current.size > 0) groups.push(current);
  return groups;
}

/** `rfc822; <a@b>` → `a@b`. */
const addressOf = (value: string | undefined): string | null => {
  if (!value) return null;
  const address = value.replace(/^[^;]*;/u, '').trim().replace(/^<|>$/gu, '').trim();
  return address === '' ? null : address;
};

const withoutType = (value: string | undefined): string | null => {
  const text = value?.replace(/^[A-Za-z-]+;\s*/u, '').replace(/\s+/gu, ' ').trim();
  return text ? text.slice(0, 1000) : null;
};

interface RecipientReport {
  recipient: string | null;
  action: string | null;
  status: string | null;
  diagnostic: string | null;
}

/** The per-recipient groups of a delivery-status report (or of its fields quoted in text). */
function recipientReports(content: string): RecipientReport[] {
  return fieldGroups(content)
    .filter((fields) => fields.has('final-recipient') || fields.has('original-recipient') || (fields.has('action') && fields.has('status')))
    .map((fields) => ({
      recipient: addressOf(fields.get('final-recipient') ?? fields.get('original-recipient')),
      action: fields.get('action')?.toLowerCase().split(/[\s(]/u)[0] ?? null,
      status: STATUS_CODE.exec(fields.get('status') ?? '')?.[1] ?? null,
      diagnostic: withoutType(fields.get('diagnostic-code')),
    }));
}

/** The Message-ID in a returned message or header block. */
function messageIdInHeaders(content: string): string | null {
  const end = /\r?\n\r?\n/u.exec(content);
  const block = end ? content.slice(0, end.index) : content;
  const lines: { key: string; line: string }[] = [];
  for (const line of block.split(/\r?\n/u)) {
    if (/^[ \t]/u.test(line) && lines.length > 0) lines[lines.length - 1]!.line += `\r\n${line}`;
    else if (line.includes(':')) lines.push({ key: line.slice(0, line.indexOf(':')).trim().toLowerCase(), line });
  }
  return normalizeMessageId(headersFromLines(lines, ['message-id'])['message-id']);
}

/** The last Message-ID quoted in the text (the returned mail's headers come after the bounce's own words). */
function lastQuotedMessageId(text: string, own: string | null): string | null {
  let found: string | null = null;
  for (const match of text.matchAll(/^[ \t>]*Message-ID[ \t]*:[ \t]*(?:\r?\n[ \t]+)?(\S[^\r\n]*)/gimu)) {
    const id = normalizeMessageId(match[1]);
    if (id !== null && id !== own) found = id;
  }
  return found;
}

function originalMessageId(source: BounceSource, own: string | null): string | null {
  for (const part of source.parts) {
    if (!RETURNED_MESSAGE_TYPES.has(part.contentType) || part.content === null) continue;
    const id = messageIdInHeaders(part.content);
    if (id !== null && id !== own) return id;
  }
  return lastQuotedMessageId(source.text, own);
}

/** The bounce's own words: the text before the copy of the returned mail. */
function bounceWords(text: string): string {
  const copy = RETURNED_HEADER_LINE.exec(text);
  return (copy ? text.slice(0, copy.index) : text).slice(0, 16 * 1024);
}

/** `local@a.b`: a dot inside the domain, not at its start or end. */
const hasDottedDomain = (address: string): boolean => {
  const domain = address.slice(address.indexOf('@') + 1);
  const dot = domain.indexOf('.', 1);
  return dot > 0 && dot < domain.length - 1;
};

function guessedReport(source: BounceSource): RecipientReport {
  const words = bounceWords(source.text);
  const failed = source.headers['x-failed-recipients']?.split(',')[0]?.trim();
  const bracketed = [...words.matchAll(/<([^\s<>@]+@[^\s<>@]+)>/gu)].map((match) => match[1]!).find(hasDottedDomain);
  const bare = /^[ \t]*([^\s<>@:]+@[^\s<>@:]+\.[A-Za-z]{2,})[ \t:]*$/mu.exec(words)?.[1];
  const smtpReply = words.split('\n').find((line) => /\b[45]\d\d[ -]/u.test(line));
  return {
    recipient: failed || bracketed || bare || null,
    action: null,
    status: STATUS_CODE.exec(words)?.[1] ?? null,
    diagnostic: smtpReply ? smtpReply.replace(/\s+/gu, ' ').trim().slice(0, 1000) : null,
  };
}

function actionOf(report: RecipientReport, subject: string): BounceDetails['action'] {
  if (report.action === 'failed' || report.action === 'delayed') return report.action;
  if (report.status?.startsWith('4.')) return 'delayed';
  if (report.status?.startsWith('5.')) return 'failed';
  return DELAY_SUBJECT.test(subject) ? 'delayed' : 'failed';
}

/**
 * The details of a bounce; null when the report says the mail was delivered (a success notice is no bounce to act
 * on) or is a complaint rather than a delivery report.
 */
export function extractBounceDetails(source: BounceSource): BounceDetails | null {
  const own = normalizeMessageId(source.messageId);

  const ses = sesNotificationOf(source.text);
  if (ses !== null) {
    if (ses.type === 'Complaint' || ses.type === 'Delivery') return null;
    const report: RecipientReport = { recipient: ses.recipient, action: ses.action?.toLowerCase() ?? null, status: ses.status, diagnostic: ses.diagnostic };
    if (ses.type === 'DeliveryDelay') report.action = 'delayed';
    return {
      originalMessageId: normalizeMessageId(ses.messageId),
      recipient: report.recipient,
      status: report.status,
      action: actionOf(report, source.subject),
      diagnostic: report.diagnostic,
    };
  }

  const statusParts = source.parts.filter((part) => DELIVERY_STATUS_TYPES.has(part.contentType) && part.content !== null);
  let reports = statusParts.flatMap((part) => recipientReports(part.content!));
  if (reports.length === 0) reports = recipientReports(source.text);
  if (reports.length > 0 && reports.every((report) => report.action !== null && SUCCESS_ACTIONS.has(report.action))) return null;

  const report =
    reports.find((candidate) => candidate.action === 'failed') ??
    reports.find((candidate) => candidate.action === 'delayed') ??
    reports[0] ??
    null;
  // What the report leaves out, the bounce's own words may still say.
  const guess = guessedReport(source);
  return {
    originalMessageId: originalMessageId(source, own),
    recipient: report?.recipient ?? guess.recipient,
    status: report?.status ?? guess.status,
    action: actionOf({ ...guess, ...report, status: report?.status ?? guess.status }, source.subject),
    diagnostic: report?.diagnostic ?? guess.diagnostic,
  };
}
