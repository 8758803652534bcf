import type { StreamArea } from './envelope.js';

/** JetStream streams, one per area; each captures `<area>.>`. */
export const STREAMS: Record<StreamArea, string> = {
  mail: 'MAIL',
  ticket: 'TICKETS',
  reply: 'REPLIES',
  channel: 'CHANNELS',
};

/** Messages that exhausted their delivery attempts land on `deadletter.<consumer>.<original subject>`. */
export const DEAD_LETTER_STREAM = 'DEADLETTER';
export const DEAD_LETTER_PREFIX = 'deadletter';

/** Replicated read model of channel settings, written by channel-config only. Key: projectId. */
export const CHANNEL_SETTINGS_BUCKET = 'channel-settings';
/** Mailbox ownership leases of mail-ingest replicas. Key: projectId. */
export const MAILBOX_LEASE_BUCKET = 'mailbox-leases';
/** What mail-ingest's watcher of each mailbox is doing (MailboxStatusRecord), written by mail-ingest only. Key: projectId. */
export const MAILBOX_STATUS_BUCKET = 'mailbox-status';
/**
 * Active scoped API tokens (ApiTokenRecord), written by channel-config only, watched by every service's access guard.
 * Key: the hex SHA-256 of the token's secret; a revoked token's key is deleted.
 */
export const API_TOKENS_BUCKET = 'api-tokens';
/**
 * Access tokens of OAuth2 mailboxes (OAuthAccessTokenEntry), written by channel-config only, sealed for the direction
 * they log in to. Key: `<projectId>.<imap|smtp>` (oauthAccessTokenKey).
 */
export const OAUTH_ACCESS_TOKEN_BUCKET = 'oauth-access-tokens';
/** Raw RFC 5322 bytes of received mail. Key: `<projectId>/<uidValidity>/<uid>`. */
export const RAW_MAIL_OBJECT_STORE = 'raw-mail';
