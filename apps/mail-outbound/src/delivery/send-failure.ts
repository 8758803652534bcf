import { classifyConnectionError, type ConnectionTarget } from '@ensoras/mail';

/** Why a mail was not delivered, as MailFailed reports it. */
export interface DeliveryFailure {
  /** Stable code, e.g. auth_failed, recipient_rejected, connection_refused, delivery_uncertain. */
  code: string;
  /** Readable and free of secrets; shown to whoever looks at the ticket. */
  reason: string;
  /** True when sending again cannot help until someone changes something. */
  permanent: boolean;
}

/** Codes of the connection classifier that only a change of settings fixes, whatever the server says next time. */
const CONFIGURATION_CODES = new Set(['auth_failed', 'certificate_rejected', 'tls_mismatch', 'starttls_unsupported']);

/** nodemailer's codes for a message it refuses to send before talking to any server. */
const INVALID_MESSAGE_CODES = new Set(['EENVELOPE', 'EMESSAGE', 'EFILEACCESS', 'EURLACCESS']);

/**
 * Transient or permanent, from what nodemailer threw. The SMTP reply code decides when there is one
 * (RFC 5321: 4yz try again later, 5yz do not repeat as is); without one, a connection that could not be made or
 * broke off is transient, and a setting that cannot work (wrong password, certificate, encryption) is permanent.
 */
export function classifySendError(error: unknown, target: ConnectionTarget): DeliveryFailure {
  const connection = classifyConnectionError(error, 'smtp', target);
  const responseCode = numberField(error, 'responseCode');
  const command = stringField(error, 'command')?.toUpperCase() ?? null;
  const where = `${target.host}:${target.port}`;
  const serverSaid = stringField(error, 'response');

  if (responseCode !== null && responseCode >= 400 && responseCode < 600) {
    const permanent = responseCode >= 500;
    if (CONFIGURATION_CODES.has(connection.code) || connection.code === 'auth_unavailable') {
      return { code: connection.code, reason: `${connection.message} ${connection.hint}`, permanent };
    }
    const refused = serverSaid ?? `${responseCode}`;
    if (!permanent) {
      return { code: 'temporarily_rejected', reason: `The SMTP server at ${where} asked to try again later (${command ?? 'SMTP'}: ${refused}).`, permanent };
    }
    const code = command?.startsWith('RCPT') ? 'recipient_rejected' : command?.startsWith('MAIL') ? 'sender_rejected' : 'message_rejected';
    return { code, reason: `The SMTP server at ${where} refused the mail (${command ?? 'SMTP'}: ${refused}).`, permanent };
  }

  if (CONFIGURATION_CODES.has(connection.code)) {
    return { code: connection.code, reason: `${connection.message} ${connection.hint}`, permanent: true };
  }
  const nodemailerCode = stringField(error, 'code');
  if (nodemailerCode !== null && INVALID_MESSAGE_CODES.has(nodemailerCode)) {
    return { code: 'invalid_message', reason: `The mail could not be built: ${errorMessage(error)}`, permanent: true };
  }
  // nodemailer reports a refused connection as ESOCKET; the syscall's code is only in the message.
  if (connection.code === 'unknown' && /ECONNREFUSED/.test(errorMessage(error))) {
    const refused = classifyConnectionError({ code: 'ECONNREFUSED' }, 'smtp', target);
    return { code: refused.code, reason: refused.message, permanent: false };
  }
  // Refused, timed out, unresolvable for the moment, cut off mid-transaction: the next attempt may well work.
  return { code: connection.code, reason: connection.message, permanent: false };
}

function numberField(error: unknown, key: string): number | null {
  const value = typeof error === 'object' && error !== null ? (error as Record<string, unknown>)[key] : undefined;
  return typeof value === 'number' ? value : null;
}

function stringField(error: unknown, key: string): string | null {
  const value = typeof error === 'object' && error !== null ? (error as Record<string, unknown>)[key] : undefined;
  return typeof value === 'string' && value !== '' ? value : null;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
