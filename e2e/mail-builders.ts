/**
 * Raw RFC 5322 messages as other mail systems send them to the support mailbox: customers, auto-responders and
 * the delivery-status notifications (RFC 3464) of a receiving mail server.
 */

const CRLF = '\r\n';

function headerBlock(headers: Record<string, string>): string {
  return Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}`)
    .join(CRLF);
}

/** A plain-text mail from `from` to the support mailbox; `headers` add to or override the defaults. */
export function plainMail(from: string, headers: Record<string, string>, body: string): string {
  const defaults = {
    From: from,
    To: 'Acme Support <support@acme.test>',
    Date: new Date().toUTCString(),
    'MIME-Version': '1.0',
    'Content-Type': 'text/plain; charset=utf-8',
  };
  return `${headerBlock({ ...defaults, ...headers })}${CRLF}${CRLF}${body}${CRLF}`;
}

export interface DeliveryReport {
  /** A unique Message-ID for the notification itself. */
  messageId: string;
  recipient: string;
  action: 'failed' | 'delayed';
  /** RFC 3463 status, e.g. `5.2.2`. */
  status: string;
  diagnostic: string;
  /** The raw mail the report is about: our reply as it left through SMTP. */
  original: Buffer | string;
  /** `message/rfc822` returns the whole mail; `text/rfc822-headers` only its header block. */
  returned: 'message/rfc822' | 'text/rfc822-headers';
}

/**
 * A delivery-status notification in the shape Postfix sends it: `multipart/report; report-type=delivery-status`
 * from MAILER-DAEMON with an empty Return-Path, a human part, the machine-readable report and the returned mail.
 */
export function deliveryStatusNotification(report: DeliveryReport): string {
  const boundary = `=_dsn_${report.messageId.replace(/[^A-Za-z0-9]/g, '')}`;
  const original = report.original.toString();
  const returned = report.returned === 'message/rfc822' ? original : original.split(/\r?\n\r?\n/)[0] + CRLF;
  const failed = report.action === 'failed';
  const headers = headerBlock({
    'Return-Path': '<>',
    From: 'Mail Delivery System <MAILER-DAEMON@mx.customer.test>',
    To: 'support@acme.test',
    Subject: failed ? 'Undelivered Mail Returned to Sender' : 'Delayed Mail (still being retried)',
    Date: new Date().toUTCString(),
    'Message-ID': report.messageId,
    'Auto-Submitted': 'auto-replied',
    'MIME-Version': '1.0',
    'Content-Type': `multipart/report; report-type=delivery-status; boundary="${boundary}"`,
  });
  const notice = failed
    ? `I'm sorry to have to inform you that your message could not be delivered to one or more recipients.`
    : `This is a warning only: your message could not be delivered yet. The mail system will keep trying.`;
  const parts = [
    [
      'Content-Description: Notification',
      'Content-Type: text/plain; charset=us-ascii',
      '',
      'This is the mail system at host mx.customer.test.',
      '',
      notice,
      '',
      `<${report.recipient}>: ${report.diagnostic}`,
    ].join(CRLF),
    [
      'Content-Description: Delivery report',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.customer.test',
      `Arrival-Date: ${new Date().toUTCString()}`,
      '',
      `Final-Recipient: rfc822; ${report.recipient}`,
      `Original-Recipient: rfc822;${report.recipient}`,
      `Action: ${report.action}`,
      `Status: ${report.status}`,
      'Remote-MTA: dns; mailstore.customer.test',
      `Diagnostic-Code: smtp; ${report.diagnostic}`,
      ...(failed ? [] : [`Will-Retry-Until: ${new Date(Date.now() + 5 * 86_400_000).toUTCString()}`]),
    ].join(CRLF),
    [
      `Content-Description: ${report.returned === 'message/rfc822' ? 'Undelivered Message' : 'Undelivered Message Headers'}`,
      `Content-Type: ${report.returned}`,
      '',
      returned,
    ].join(CRLF),
  ];
  const body = parts.map((part) => `--${boundary}${CRLF}${part}${CRLF}`).join('');
  return `${headers}${CRLF}${CRLF}This is a MIME-encapsulated message.${CRLF}${CRLF}${body}--${boundary}--${CRLF}`;
}

/** A multipart/mixed mail: a short text part and one base64 attachment of `attachment` bytes (e.g. a large video). */
export function mailWithAttachment(from: string, headers: Record<string, string>, text: string, attachment: Buffer, fileName: string): string {
  const boundary = `=_part_${fileName.replace(/[^A-Za-z0-9]/g, '')}`;
  const base64 = attachment.toString('base64').replace(/.{76}/g, `$&${CRLF}`);
  const body = [
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    text,
    `--${boundary}`,
    `Content-Type: application/octet-stream; name="${fileName}"`,
    `Content-Disposition: attachment; filename="${fileName}"`,
    'Content-Transfer-Encoding: base64',
    '',
    base64,
    `--${boundary}--`,
  ].join(CRLF);
  return plainMail(from, { 'Content-Type': `multipart/mixed; boundary="${boundary}"`, ...headers }, body);
}

/** A header value of many items (Message-IDs of References), folded 40 to a line as mail clients do. */
export function foldedList(items: string[]): string {
  const lines = Array.from({ length: Math.ceil(items.length / 40) }, (_, line) => items.slice(line * 40, line * 40 + 40).join(' '));
  return lines.join(`${CRLF} `);
}
