import type { ChannelSafety, EmailIdentity, ImapSettings, ResponseDelay, SmtpSettings } from './channel-settings.js';

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
  updatedAt: string | null;
  /** Outcome of the last Test Connection against the settings as they are now; null when none was run since. */
  lastConnectionTest?: ConnectionTestSummary | null;
}

export interface ProjectConfigurationView {
  projectId: string;
  communicationStyle: string;
  updatedAt: string | null;
}

export const CONNECTION_ERROR_CODES = [
  'auth_failed',
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
