import type { ChannelPauses } from './channel-pause.js';
import type {
  AiMode,
  ChannelSafety,
  EmailIdentity,
  HandoffSettings,
  ImapSettings,
  ImportSettings,
  ResponseDelay,
  SentFolderSettings,
  SmtpSettings,
} from './channel-settings.js';
import type { OAuthConnectionView } from './mail-auth.js';

/** What GET returns: settings without secrets, `passwordSet` in their place. */
export interface EmailChannelView {
  projectId: string;
  enabled: boolean;
  imap: (ImapSettings & { passwordSet: boolean }) | null;
  smtp: (SmtpSettings & { passwordSet: boolean }) | null;
  identity: EmailIdentity | null;
  guidelines: string;
  responseDelay: ResponseDelay;
  safety: ChannelSafety;
  import: ImportSettings;
  aiMode: AiMode;
  handoff: HandoffSettings;
  sentFolder: SentFolderSettings;
  updatedAt: string | null;
  /** The project's OAuth grants (provider, account, whether access works); absent where no OAuth module answers. */
  oauth?: OAuthConnectionView[];
  /** Outcome of the last Test Connection against the settings as they are now; null when none was run since. */
  lastConnectionTest?: ConnectionTestSummary | null;
  /** Directions that stopped logging in after repeated authentication failures (POST …/resume, or fix the settings). */
  paused?: ChannelPauses;
}

export interface ProjectConfigurationView {
  projectId: string;
  communicationStyle: string;
  updatedAt: string | null;
}

export const CONNECTION_ERROR_CODES = [
  'auth_failed',
  /**
   * The server could not check the login just now (SMTP 454, IMAP [UNAVAILABLE], "Temporary authentication
   * failure"): nothing says the credentials are wrong, so it is retried with back-off and never pauses a direction.
   */
  'auth_unavailable',
  'certificate_rejected',
  'tls_mismatch',
  'starttls_unsupported',
  'connection_refused',
  'timeout',
  'host_not_found',
  'mailbox_unavailable',
  'protocol_error',
  /** The host resolves to a link-local or cloud-metadata address, which Test Connection never contacts. */
  'address_not_allowed',
  'unknown',
] as const;
export type ConnectionErrorCode = (typeof CONNECTION_ERROR_CODES)[number];

export interface ConnectionError {
  code: ConnectionErrorCode;
  message: string;
  hint: string;
}

export interface ConnectionCheck {
  ok: boolean;
  error?: ConnectionError;
}

export interface TestConnectionResult {
  imap: ConnectionCheck;
  smtp: ConnectionCheck;
}

/** What is kept of a Test Connection run: when, and per side ok plus the error code. No messages, no secrets. */
export interface ConnectionTestSummary {
  testedAt: string;
  imap: { ok: boolean; code?: ConnectionErrorCode };
  smtp: { ok: boolean; code?: ConnectionErrorCode };
}

/**
 * What a mailbox's watcher is doing, as the admin sees it:
 * - `connecting`: logging in (also before the first status of a newly enabled channel arrives);
 * - `backfilling`: importing more than a batch of waiting mail (the history, or a burst), `imported` of `total`;
 * - `watching`: everything is imported, new mail is awaited (IDLE or polling);
 * - `failing`: the connection failed, retried with back-off (`lastError` says why);
 * - `paused`: logging in failed AUTH_FAILURES_BEFORE_PAUSE times in a row (wrong or revoked password or grant); no
 *   more tries until the settings get a new revision (a change, or POST …/channels/email/resume);
 * - `disabled`: the channel is off.
 */
export const MAILBOX_STATES = ['connecting', 'backfilling', 'watching', 'failing', 'paused', 'disabled'] as const;
export type MailboxState = (typeof MAILBOX_STATES)[number];

/** Written by mail-ingest into the `mailbox-status` bucket whenever it changes (at most about once a second). */
export interface MailboxStatusRecord {
  projectId: string;
  /** The channel settings revision the watcher runs with. */
  revision: number;
  state: Exclude<MailboxState, 'disabled'>;
  /** Of the current (or last) backfill: mails done (imported or quarantined) and mails it found waiting. */
  imported: number;
  total: number;
  lastError: string | null;
  lastErrorAt: string | null;
  lastImportAt: string | null;
  updatedAt: string;
}

/** GET /v1/projects/{p}/channels/email/status. */
export interface EmailChannelStatusView {
  projectId: string;
  enabled: boolean;
  state: MailboxState;
  imported: number;
  total: number;
  lastError: string | null;
  lastErrorAt: string | null;
  lastImportAt: string | null;
  /** When mail-ingest last reported; null before the first report. */
  updatedAt: string | null;
  /**
   * Directions paused after repeated authentication failures at the current revision: `imap` (then `state` is
   * `paused` and `lastError` the reason) and `smtp` (replies are held, not failed, until resumed).
   */
  paused: ChannelPauses;
}
