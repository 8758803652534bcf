/**
 * Amazon SES reports bounces, complaints and deliveries as JSON, mailed through an SNS topic subscription
 * (`From: …@sns.amazonaws.com`, `x-amz-sns-message-id`), either bare or wrapped in the SNS envelope with the report
 * JSON-escaped in its "Message". Mail transport sometimes breaks the long lines, so the fields are read with
 * patterns that accept both forms rather than with JSON.parse.
 */
export type SesNotificationType = 'Bounce' | 'Complaint' | 'Delivery' | 'DeliveryDelay';

export interface SesNotification {
  type: SesNotificationType;
  recipient: string | null;
  action: string | null;
  status: string | null;
  diagnostic: string | null;
  /** The Message-ID header of the mail reported on, when the report lists the headers. */
  messageId: string | null;
  bounceType: string | null;
}

/** `"name":"value"` with the quotes optionally backslash-escaped (the SNS envelope escapes the inner JSON). */
const field = (name: string, value = String.raw`((?:[^"\\]|\\[^"])*)`): RegExp =>
  new RegExp(String.raw`\\?"${name}\\?"\s*:\s*\\?"${value}\\?"`, 'u');

/** Every pattern the notification is read with, built once (and exported for the regex safety check). */
export const SES_NOTIFICATION_PATTERNS = {
  type: field('(?:notificationType|eventType)', '(Bounce|Complaint|Delivery|DeliveryDelay)'),
  recipient: field('emailAddress'),
  action: field('action'),
  status: field('status'),
  diagnostic: field('diagnosticCode'),
  messageIdHeader: new RegExp(String.raw`\\?"name\\?"\s*:\s*\\?"Message-ID\\?"\s*,\s*\\?"value\\?"\s*:\s*\\?"([^"\\]+)`, 'iu'),
  messageId: field('messageId', String.raw`(<[^"\\]+>)`),
  bounceType: field('bounceType'),
} as const;

const first = (text: string, pattern: RegExp): string | null => {
  const value = pattern.exec(text)?.[1];
  return value === undefined || value.trim() === '' ? null : value.replace(/\\(.)/gu, '$1').trim();
};

/** Whether the mail comes from SES/SNS: by sender domain or SNS's own headers. */
export function isAmazonSnsMail(fromAddress: string, headers: Record<string, string>): boolean {
  return /@(?:[\w-]+\.)*(?:sns\.amazonaws\.com|amazonses\.com)$/iu.test(fromAddress.trim()) || headers['x-amz-sns-message-id'] !== undefined;
}

/** The SES notification in the text of a mail, or null when the text holds none. */
export function sesNotificationOf(text: string): SesNotification | null {
  const head = text.length > 256 * 1024 ? text.slice(0, 256 * 1024) : text;
  const patterns = SES_NOTIFICATION_PATTERNS;
  const type = first(head, patterns.type) as SesNotificationType | null;
  if (type === null) return null;
  return {
    type,
    recipient: first(head, patterns.recipient),
    action: first(head, patterns.action),
    status: first(head, patterns.status),
    diagnostic: first(head, patterns.diagnostic),
    messageId: first(head, patterns.messageIdHeader) ?? first(head, patterns.messageId),
    bounceType: first(head, patterns.bounceType),
  };
}
