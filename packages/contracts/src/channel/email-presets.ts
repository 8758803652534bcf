import type { ImapEncryption, SmtpEncryption } from './channel-settings.js';

/** How a provider lets a mail client in: its account password, an app password only, or OAuth2 only. */
export const PRESET_SIGN_IN = ['password', 'app_password', 'oauth2', 'app_password_or_oauth2'] as const;
export type PresetSignIn = (typeof PRESET_SIGN_IN)[number];

/** One well-known mail provider's settings (GET /v1/presets/email), for filling in the channel form. */
export interface EmailProviderPreset {
  id: string;
  name: string;
  imap: { host: string; port: number; encryption: ImapEncryption };
  smtp: { host: string; port: number; encryption: SmtpEncryption };
  signIn: PresetSignIn;
  /** The OAuth2 provider to connect with, when the provider speaks OAuth2 for IMAP and SMTP. */
  oauthProvider: 'google' | 'microsoft' | null;
  /** What the IMAP and SMTP username is, in the provider's words. */
  username: string;
  /** The provider puts mail sent through its SMTP server into the Sent folder itself. */
  filesSentMail: boolean;
  /** What an admin must do at the provider before the channel can log in (turn IMAP on, create an app password…). */
  setup: string;
  helpUrl: string;
}
