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
}

export interface SmtpSettings {
  host: string;
  port: number;
  encryption: SmtpEncryption;
  username: string;
  /** The spec names certificate validation for IMAP; SMTP servers are as often self-hosted, so it is here too. */
  validateCertificate: boolean;
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
  imap: (ImapSettings & { password: SealedSecret }) | null;
  smtp: (SmtpSettings & { password: SealedSecret }) | null;
  identity: EmailIdentity | null;
  guidelines: string;
  responseDelay: ResponseDelay;
}
