/**
 * The new part of a reply: what the sender wrote this time, without the quoted history ("On … wrote:", "> …",
 * Outlook's "-----Original Message-----" and the localised variants) and without the signature. The work is done by
 * email-reply-parser (Crisp's port of GitHub's EmailReplyParser), not by our own regular expressions.
 */
import EmailReplyParser from 'email-reply-parser';

/** The parser's patterns are linear but not free: the new part of a reply sits at the top, so this much is plenty. */
const MAX_SCANNED_CHARS = 64 * 1024;

const parser = new EmailReplyParser();

/**
 * The new text of `text`; the whole text when the parser finds nothing new (a forward that is all quote, a mail
 * that starts with what looks like a quote header), so the reader never gets an empty message from a non-empty one.
 */
export function newTextOf(text: string): string {
  if (text.trim() === '') return '';
  const scanned = text.length > MAX_SCANNED_CHARS ? text.slice(0, MAX_SCANNED_CHARS) : text;
  let reply: string;
  try {
    reply = parser.parseReply(scanned.replace(/\r\n?/gu, '\n'));
  } catch {
    return text;
  }
  return reply.trim() === '' ? text : reply.trim();
}
