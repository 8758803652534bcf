/** The words the page uses for the API's values. */
import type { ChangeActor, DeliveryStatus, MailKind, MessageAuthor, MessageDirection, TicketStatus } from '@ensoras/contracts';

export const TICKET_STATUS_OPTIONS = [
  { value: 'open', label: 'Open' },
  { value: 'answered', label: 'Answered' },
  { value: 'draft_ready', label: 'Draft ready' },
  { value: 'needs_human', label: 'Needs a person' },
  { value: 'closed', label: 'Closed' },
] as const satisfies readonly { value: TicketStatus; label: string }[];

const TICKET_STATUS_LABELS: Record<TicketStatus, string> = Object.fromEntries(
  TICKET_STATUS_OPTIONS.map(({ value, label }) => [value, label]),
) as Record<TicketStatus, string>;

export function ticketStatusLabel(status: TicketStatus): string {
  return TICKET_STATUS_LABELS[status] ?? status;
}

export const TICKET_STATUS_COLORS: Record<TicketStatus, string> = {
  open: 'blue',
  answered: 'green',
  draft_ready: 'violet',
  needs_human: 'orange',
  closed: 'gray',
};

export function isTicketStatus(value: string | null | undefined): value is TicketStatus {
  return TICKET_STATUS_OPTIONS.some((option) => option.value === value);
}

/** Mail a machine sent about a mail (a bounce, an abuse report) is the mail system's, not the customer's. */
const SYSTEM_KINDS: readonly MailKind[] = ['bounce', 'feedback-report'];

export function authorLabel(author: MessageAuthor | string, kind: MailKind): string {
  if (SYSTEM_KINDS.includes(kind)) return 'System';
  switch (author) {
    case 'customer':
      return 'Customer';
    case 'ai':
      return 'AI';
    case 'agent':
      return 'Agent';
    default:
      return 'System';
  }
}

export function directionLabel(direction: MessageDirection): string {
  return direction === 'inbound' ? 'Incoming' : 'Outgoing';
}

export const MAIL_KIND_LABELS: Record<MailKind, string> = {
  normal: 'normal',
  'auto-reply': 'auto-reply',
  'out-of-office': 'out of office',
  bounce: 'bounce',
  'feedback-report': 'feedback report',
  'read-receipt': 'read receipt',
  'mailing-list': 'mailing list',
  own: 'own mail',
};

export const DELIVERY_STATUS_LABELS: Record<DeliveryStatus, string> = {
  received: 'received',
  draft: 'draft',
  discarded: 'discarded',
  queued: 'queued',
  sent: 'sent',
  failed: 'failed',
  bounced: 'bounced',
};

export const DELIVERY_STATUS_COLORS: Record<DeliveryStatus, string> = {
  received: 'gray',
  draft: 'violet',
  discarded: 'gray',
  queued: 'blue',
  sent: 'green',
  failed: 'red',
  bounced: 'red',
};

export const AUDIT_ACTION_LABELS: Record<string, string> = {
  'configuration.updated': 'Communication style changed',
  'email_channel.configured': 'Email channel configured',
  'email_channel.updated': 'Email channel settings changed',
  'email_channel.enabled': 'Email channel enabled',
  'email_channel.disabled': 'Email channel disabled',
  'email_channel.passwords_resealed': 'Passwords sealed again with the current key',
};

/** Who made an audit entry's change, as the audit page names it. */
export function actorLabel(actor: ChangeActor): string {
  switch (actor.kind) {
    case 'admin':
      return 'Admin token';
    case 'token':
      return `API token "${actor.name}"`;
    case 'system':
      return 'System';
  }
}

/** The form's labels for the settings the audit names by path. */
export const SETTING_LABELS: Record<string, string> = {
  'imap.host': 'IMAP Host',
  'imap.port': 'IMAP Port',
  'imap.encryption': 'IMAP Encryption',
  'imap.username': 'IMAP Username/Email',
  'imap.password': 'IMAP Password',
  'imap.validateCertificate': 'IMAP Validate SSL Certificate',
  'imap.markAsRead': 'Mark Imported Emails as Read',
  'sentFolder.append': 'Copy Replies to the Sent Folder',
  'smtp.host': 'SMTP Host',
  'smtp.port': 'SMTP Port',
  'smtp.encryption': 'SMTP Encryption',
  'smtp.username': 'SMTP Username/Email',
  'smtp.password': 'SMTP Password',
  'smtp.validateCertificate': 'SMTP certificate check',
  'identity.fromEmail': 'From Email Address',
  'identity.fromName': 'From Name',
  'identity.signatureHtml': 'Email Signature',
  guidelines: 'Ensoras Guidelines',
  'responseDelay.minSeconds': 'Minimum Delay',
  'responseDelay.maxSeconds': 'Maximum Delay',
  'safety.maxMessageSizeMb': 'Maximum message size',
  'safety.maxAiRepliesPerTicket': 'AI replies per ticket',
  'safety.maxAiRepliesPerAddress': 'AI replies per address',
  'safety.loopWindowMinutes': 'Loop window',
  'safety.maxAiRepliesPerHour': 'AI replies per hour',
  'import.since': 'Import mail since',
  aiMode: 'AI mode',
  'handoff.acknowledge': 'Acknowledge handoffs',
  'handoff.text': 'Acknowledgement text',
  enabled: 'Email channel enabled',
  communicationStyle: 'Communication style',
};

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

const DATE_TIME = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '–';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : DATE_TIME.format(date);
}

export function formatAddress(address: { name: string; address: string } | null | undefined): string {
  if (!address) return '–';
  return address.name ? `${address.name} <${address.address}>` : address.address;
}
