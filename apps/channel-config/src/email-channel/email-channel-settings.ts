import type {
  AiMode,
  ChannelSafety,
  EmailIdentity,
  HandoffSettings,
  ImapSettings,
  ImportSettings,
  MailAuth,
  ResponseDelay,
  SealedSecret,
  SentFolderSettings,
  SmtpSettings,
} from '@ensoras/contracts';

/** `auth` is always there once stored; `password.sealed` is '' for a direction that logs in with OAuth2. */
export type StoredImapSettings = ImapSettings & { password: SealedSecret; auth: MailAuth };
export type StoredSmtpSettings = SmtpSettings & { password: SealedSecret; auth: MailAuth };

/** A configured email channel as stored: always complete, passwords sealed. */
export interface EmailChannelSettings {
  imap: StoredImapSettings;
  smtp: StoredSmtpSettings;
  identity: EmailIdentity;
  guidelines: string;
  responseDelay: ResponseDelay;
  safety: ChannelSafety;
  import: ImportSettings;
  aiMode: AiMode;
  handoff: HandoffSettings;
  sentFolder: SentFolderSettings;
}

/**
 * The spec: "For email, longer delays (30-120 seconds) feel more natural than instant replies." A channel
 * configured without a delay therefore gets that range rather than an instant reply.
 */
export const DEFAULT_RESPONSE_DELAY: ResponseDelay = Object.freeze({ minSeconds: 30, maxSeconds: 120 });

/** Product defaults: certificates are checked (IMAP and SMTP alike), imported mail is left unread. */
export const DEFAULT_VALIDATE_CERTIFICATE = true;
export const DEFAULT_MARK_AS_READ = false;
