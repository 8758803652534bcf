import type { MailAuth } from './mail-auth.js';

export const IMAP_ENCRYPTIONS = ['starttls', 'tcp', 'ssl', 'tls'] as const;
export type ImapEncryption = (typeof IMAP_ENCRYPTIONS)[number];
export const SMTP_ENCRYPTIONS = ['none', 'tls', 'ssl'] as const;
export type SmtpEncryption = (typeof SMTP_ENCRYPTIONS)[number];

export const MAX_RESPONSE_DELAY_SECONDS = 172_800;

export interface ImapSettings {
  host: string;
  port: number;
  encryption: ImapEncryption;
  username: string;
  validateCertificate: boolean;
  markAsRead: boolean;
  /** Absent (snapshots written before OAuth existed) means password: read it through `mailAuthOf`. */
  auth?: MailAuth;
}

export interface SmtpSettings {
  host: string;
  port: number;
  encryption: SmtpEncryption;
  username: string;
  /** The spec names certificate validation for IMAP; SMTP servers are as often self-hosted, so it is here too. */
  validateCertificate: boolean;
  /** Absent (snapshots written before OAuth existed) means password: read it through `mailAuthOf`. */
  auth?: MailAuth;
}

export interface EmailIdentity {
  fromEmail: string;
  fromName: string;
  signatureHtml: string;
}

export interface ResponseDelay {
  minSeconds: number;
  maxSeconds: number;
}

/**
 * Limits that keep a mailbox healthy and the AI out of loops. The loop breaker counts AI replies in a sliding
 * window; reaching a limit hands the ticket to a human. Defaults are stricter than Zammad's (10 per ticket and 30 per
 * address in 10 minutes), because an AI answers instantly and tirelessly.
 */
export interface ChannelSafety {
  /** Mail larger than this still makes a ticket message, with a note, but its attachments are not kept. */
  maxMessageSizeMb: number;
  maxAiRepliesPerTicket: number;
  maxAiRepliesPerAddress: number;
  loopWindowMinutes: number;
  /**
   * AI replies of the whole project in any 60 minutes; further tickets go to a human. Caps what a flood of mail
   * (or of forged senders) can make the AI write. Absent where channel-config does not store it yet: the default.
   */
  maxAiRepliesPerHour?: number;
}

export const DEFAULT_CHANNEL_SAFETY: Required<ChannelSafety> = {
  maxMessageSizeMb: 25,
  maxAiRepliesPerTicket: 3,
  maxAiRepliesPerAddress: 5,
  loopWindowMinutes: 60,
  maxAiRepliesPerHour: 300,
};

/**
 * How much of a mailbox's history becomes tickets when the channel first reads it (and again after the server
 * renumbers it, UIDVALIDITY): mail that arrived on or after `since`, or all of it when `since` is null. Mail arriving
 * later is always imported. A new channel gets the last DEFAULT_IMPORT_DAYS days, so enabling it on a mailbox with a
 * decade of mail does not turn that decade into tickets.
 */
export interface ImportSettings {
  /** ISO 8601 date-time; IMAP compares by day (SEARCH SINCE), so the whole day counts. */
  since: string | null;
}

export const DEFAULT_IMPORT_DAYS = 14;

/** The default `since` for a channel configured at `now`: the start (UTC) of the day DEFAULT_IMPORT_DAYS ago. */
export function defaultImportSince(now: Date): string {
  const day = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  day.setUTCDate(day.getUTCDate() - DEFAULT_IMPORT_DAYS);
  return day.toISOString();
}

/**
 * What the AI does with a ticket it may answer:
 * - `auto`: answers the customer (after the response delay), as a channel always did;
 * - `draft`: writes the reply but keeps it on the ticket as a draft, for an agent to send or discard;
 * - `off`: tickets are recorded, never answered by the AI.
 * None of them affects importing mail or whether the channel may be enabled.
 */
export const AI_MODES = ['auto', 'draft', 'off'] as const;
export type AiMode = (typeof AI_MODES)[number];
export const DEFAULT_AI_MODE: AiMode = 'auto';

/**
 * When the AI hands a ticket to a human it sends nothing, unless `acknowledge` is true: then the customer gets
 * `text` (plain text; the outbound path appends the signature as for any reply).
 */
export interface HandoffSettings {
  acknowledge: boolean;
  text: string;
}

export const MAX_HANDOFF_TEXT_LENGTH = 2_000;
export const DEFAULT_HANDOFF_TEXT = 'Thank you for your message. A member of our team will get back to you shortly.';
export const DEFAULT_HANDOFF: Readonly<HandoffSettings> = Object.freeze({ acknowledge: false, text: DEFAULT_HANDOFF_TEXT });

/** A start or end tag (`<p>`, `</b>`, `<br/>`, `<a href=…>`) or a comment; `a < b`, `<3` and `<https://…>` are text. */
const HTML_TAG = /<\/?[a-z][a-z0-9-]*(?:[\s/][^<>]*)?>|<!--/i;
/** Control characters other than tab, line feed and carriage return. */
const CONTROL_CHARACTER = /(?![\t\n\r])\p{Cc}/u;

/**
 * Why `text` is not acceptable as plain text to send to a customer (`must …`), or null when it is: it must have a
 * visible character, and hold neither HTML tags nor control characters (line breaks and tabs are fine).
 */
export function plainTextProblem(text: string): string | null {
  if (text.trim() === '') return 'must not be blank';
  if (HTML_TAG.test(text)) return 'must be plain text, without HTML tags';
  if (CONTROL_CHARACTER.test(text)) return 'must not contain control characters (line breaks and tabs are fine)';
  return null;
}

/**
 * Whether mail-outbound appends a copy of each reply it sent to the mailbox's Sent folder (the IMAP folder the
 * server marks SPECIAL-USE \Sent), so people reading the mailbox in a mail client see the whole conversation.
 * Skipped anyway where the provider files mail sent over its SMTP in Sent itself (Gmail).
 */
export interface SentFolderSettings {
  append: boolean;
}

export const DEFAULT_SENT_FOLDER: Readonly<SentFolderSettings> = Object.freeze({ append: true });

/** A secret as it travels between services: AES-256-GCM ciphertext, never clear text. */
export interface SealedSecret {
  sealed: string;
}

/**
 * The replicated read model of one project's email channel, written by channel-config into the
 * `channel-settings` key-value bucket. Passwords are sealed; only services holding SECRETS_KEY can open them.
 */
export interface ChannelSettingsSnapshot {
  projectId: string;
  enabled: boolean;
  /** Increases with every change, so a consumer can tell a stale copy. */
  revision: number;
  updatedAt: string;
  communicationStyle: string;
  /** `password` is absent for a direction that logs in with OAuth2 (`auth.type` oauth2): no password is kept then. */
  imap: (ImapSettings & { password?: SealedSecret }) | null;
  smtp: (SmtpSettings & { password?: SealedSecret }) | null;
  identity: EmailIdentity | null;
  guidelines: string;
  responseDelay: ResponseDelay;
  /** Absent in snapshots written before it existed: read it through `channelSafetyOf`. */
  safety?: ChannelSafety;
  /** Absent in snapshots written before it existed: read it through `importSinceOf`. */
  import?: ImportSettings;
  /** Absent in snapshots written before it existed: read it through `aiModeOf`. */
  aiMode?: AiMode;
  /** Absent in snapshots written before it existed: read it through `handoffOf`. */
  handoff?: HandoffSettings;
  /** Absent in snapshots written before it existed: read it through `sentFolderOf`. */
  sentFolder?: SentFolderSettings;
}

/** From when a mailbox's history is imported; null for all of it. A snapshot without the setting gets the default. */
export function importSinceOf(settings: Pick<ChannelSettingsSnapshot, 'import'>, now: Date): Date | null {
  if (!settings.import) return new Date(defaultImportSince(now));
  return settings.import.since === null ? null : new Date(settings.import.since);
}

export function channelSafetyOf(settings: Pick<ChannelSettingsSnapshot, 'safety'> | null | undefined): Required<ChannelSafety> {
  const safety = settings?.safety ?? {};
  // A field left out (or written as undefined) keeps its default.
  const given = Object.fromEntries(Object.entries(safety).filter(([, value]) => value !== undefined && value !== null));
  return { ...DEFAULT_CHANNEL_SAFETY, ...given };
}

/**
 * The channel's AI mode. A snapshot written before the setting existed gets the default (`auto`, what every channel
 * did then). A value this code does not know (written by a newer channel-config) counts as `draft`: the AI still
 * writes, but nothing reaches a customer without an agent.
 */
export function aiModeOf(settings: Pick<ChannelSettingsSnapshot, 'aiMode'> | null | undefined): AiMode {
  const mode = settings?.aiMode;
  if (mode === undefined || mode === null) return DEFAULT_AI_MODE;
  return (AI_MODES as readonly unknown[]).includes(mode) ? mode : 'draft';
}

/**
 * Whether (and what) the customer is told when the AI hands a ticket to a human. A snapshot written before the
 * setting existed gets the default (send nothing); only `acknowledge: true` sends, and a missing or blank text is
 * replaced by the default text, so an acknowledgement is never empty.
 */
export function handoffOf(settings: Pick<ChannelSettingsSnapshot, 'handoff'> | null | undefined): HandoffSettings {
  const handoff: Partial<HandoffSettings> = settings?.handoff ?? {};
  const text = typeof handoff.text === 'string' && handoff.text.trim() !== '' ? handoff.text : DEFAULT_HANDOFF_TEXT;
  return { acknowledge: handoff.acknowledge === true, text };
}

/**
 * Whether replies are appended to the Sent folder. A snapshot written before the setting existed gets the default
 * (append); only an explicit `append: false` turns it off.
 */
export function sentFolderOf(settings: Pick<ChannelSettingsSnapshot, 'sentFolder'> | null | undefined): SentFolderSettings {
  return { append: settings?.sentFolder?.append !== false };
}
