/**
 * Well-known mail providers: the settings an admin would otherwise look up, and what each needs before a mail
 * client may log in. Hosts and ports as the providers document them (checked 2026-12); `helpUrl` is the provider's
 * own page. Used for GET /v1/presets/email, for Test Connection hints that name the provider's fix, and for
 * knowing which providers file SMTP-submitted mail in Sent themselves.
 */
import type { EmailProviderPreset } from '@ensoras/contracts';

const GOOGLE_SETUP =
  'Turn IMAP on in Gmail settings. Sign in with an App Password (needs 2-Step Verification) or connect with Google (OAuth2).';
const MICROSOFT_SETUP =
  'Microsoft no longer accepts passwords for IMAP: connect with Microsoft (OAuth2). SMTP needs "Authenticated SMTP" turned on for the mailbox.';

export const EMAIL_PROVIDER_PRESETS: readonly EmailProviderPreset[] = Object.freeze([
  {
    id: 'gmail',
    name: 'Gmail',
    imap: { host: 'imap.gmail.com', port: 993, encryption: 'ssl' },
    smtp: { host: 'smtp.gmail.com', port: 587, encryption: 'tls' },
    signIn: 'app_password_or_oauth2',
    oauthProvider: 'google',
    username: 'The full Gmail address',
    filesSentMail: true,
    setup: GOOGLE_SETUP,
    helpUrl: 'https://support.google.com/mail/answer/7126229',
  },
  {
    id: 'google-workspace',
    name: 'Google Workspace',
    imap: { host: 'imap.gmail.com', port: 993, encryption: 'ssl' },
    smtp: { host: 'smtp.gmail.com', port: 587, encryption: 'tls' },
    signIn: 'app_password_or_oauth2',
    oauthProvider: 'google',
    username: 'The full address of the mailbox',
    filesSentMail: true,
    setup: `${GOOGLE_SETUP} Many Workspace domains forbid App Passwords; then OAuth2 is the way, and the Workspace admin must allow IMAP.`,
    helpUrl: 'https://support.google.com/a/answer/105694',
  },
  {
    id: 'microsoft-365',
    name: 'Microsoft 365 (Exchange Online)',
    imap: { host: 'outlook.office365.com', port: 993, encryption: 'ssl' },
    smtp: { host: 'smtp.office365.com', port: 587, encryption: 'tls' },
    signIn: 'oauth2',
    oauthProvider: 'microsoft',
    username: 'The full address of the mailbox',
    filesSentMail: true,
    setup: MICROSOFT_SETUP,
    helpUrl:
      'https://learn.microsoft.com/en-us/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth',
  },
  {
    id: 'outlook-com',
    name: 'Outlook.com / Hotmail',
    imap: { host: 'outlook.office365.com', port: 993, encryption: 'ssl' },
    smtp: { host: 'smtp-mail.outlook.com', port: 587, encryption: 'tls' },
    signIn: 'oauth2',
    oauthProvider: 'microsoft',
    username: 'The full Outlook.com address',
    filesSentMail: true,
    setup: 'Outlook.com no longer accepts passwords from mail clients: connect with Microsoft (OAuth2).',
    helpUrl: 'https://support.microsoft.com/en-us/office/pop-imap-and-smtp-settings-for-outlook-com-d088b986-291d-42b8-9564-9c414e2aa040',
  },
  {
    id: 'yahoo',
    name: 'Yahoo Mail',
    imap: { host: 'imap.mail.yahoo.com', port: 993, encryption: 'ssl' },
    smtp: { host: 'smtp.mail.yahoo.com', port: 465, encryption: 'ssl' },
    signIn: 'app_password',
    oauthProvider: null,
    username: 'The full Yahoo address',
    filesSentMail: false,
    setup: 'Generate an app password in Yahoo Account Security and use it instead of the account password.',
    helpUrl: 'https://help.yahoo.com/kb/SLN4075.html',
  },
  {
    id: 'icloud',
    name: 'iCloud Mail',
    imap: { host: 'imap.mail.me.com', port: 993, encryption: 'ssl' },
    smtp: { host: 'smtp.mail.me.com', port: 587, encryption: 'tls' },
    signIn: 'app_password',
    oauthProvider: null,
    username: 'IMAP: the name before @icloud.com; SMTP: the full iCloud address',
    filesSentMail: false,
    setup: 'Create an app-specific password at account.apple.com (needs two-factor authentication) and use it for IMAP and SMTP.',
    helpUrl: 'https://support.apple.com/en-us/102525',
  },
  {
    id: 'zoho',
    name: 'Zoho Mail',
    imap: { host: 'imap.zoho.com', port: 993, encryption: 'ssl' },
    smtp: { host: 'smtp.zoho.com', port: 465, encryption: 'ssl' },
    signIn: 'app_password',
    oauthProvider: null,
    username: 'The full Zoho address',
    filesSentMail: false,
    setup:
      'Turn IMAP access on in Zoho Mail settings; with two-factor authentication use an app-specific password. Organisation accounts use imappro.zoho.com and smtppro.zoho.com, and accounts in other regions zoho.eu, zoho.in or zoho.com.au.',
    helpUrl: 'https://www.zoho.com/mail/help/imap-access.html',
  },
  {
    id: 'fastmail',
    name: 'Fastmail',
    imap: { host: 'imap.fastmail.com', port: 993, encryption: 'ssl' },
    smtp: { host: 'smtp.fastmail.com', port: 465, encryption: 'ssl' },
    signIn: 'app_password',
    oauthProvider: null,
    username: 'The full Fastmail address',
    filesSentMail: false,
    setup: 'Create an app password under Settings → Privacy & Security, with IMAP and SMTP access.',
    helpUrl: 'https://www.fastmail.help/hc/en-us/articles/1500000278342-Server-names-and-ports',
  },
] satisfies EmailProviderPreset[]);

/**
 * Host names of a provider's family (regions, older names, business variants); `label` names the family where
 * several presets share its hosts (Gmail and Google Workspace; Microsoft 365 and Outlook.com).
 */
const HOST_FAMILIES: ReadonlyArray<{ presetId: string; label: string; pattern: RegExp }> = [
  { presetId: 'gmail', label: 'Gmail / Google Workspace', pattern: /^(?:imap|smtp)\.(?:gmail|googlemail)\.com$/ },
  {
    presetId: 'microsoft-365',
    label: 'Microsoft 365 / Outlook.com',
    pattern: /^(?:outlook\.office365\.com|smtp\.office365\.(?:com|us)|outlook\.office\.com|(?:imap-mail|smtp-mail)\.outlook\.com)$/,
  },
  { presetId: 'yahoo', label: 'Yahoo Mail', pattern: /^(?:imap|smtp)\.mail\.yahoo\.com$/ },
  { presetId: 'icloud', label: 'iCloud Mail', pattern: /^(?:imap|smtp)\.mail\.me\.com$/ },
  { presetId: 'zoho', label: 'Zoho Mail', pattern: /^(?:imap|smtp)(?:pro)?\.zoho\.(?:com|eu|in|com\.au|jp|com\.cn|sa|ca)$/ },
  { presetId: 'fastmail', label: 'Fastmail', pattern: /^(?:imap|smtp)\.fastmail\.com$/ },
];

function familyOf(host: string): (typeof HOST_FAMILIES)[number] | null {
  const name = host.trim().toLowerCase().replace(/\.$/, '');
  return HOST_FAMILIES.find(({ pattern }) => pattern.test(name)) ?? null;
}

/**
 * The provider a mail server host belongs to, or null for any other server. Gmail and Google Workspace share their
 * hosts, as do Microsoft 365 and Outlook.com: the first preset of the family stands for both.
 */
export function presetForHost(host: string): EmailProviderPreset | null {
  const family = familyOf(host);
  return family ? (EMAIL_PROVIDER_PRESETS.find(({ id }) => id === family.presetId) ?? null) : null;
}

/**
 * The provider (family) that files every mail submitted through `smtpHost` in the mailbox's Sent folder itself, or
 * null when a client should append its copy, as mail clients do. Appending ours as well would show each reply twice.
 * - Gmail and Google Workspace (smtp.gmail.com): Google's IMAP help tells mail clients not to save sent mail, as its
 *   SMTP server puts it in "[Gmail]/Sent Mail". smtp-relay.gmail.com (the Workspace relay, no mailbox behind it)
 *   files nothing and is not matched.
 * - Microsoft 365 (smtp.office365.com; .us in GCC High) and Outlook.com (smtp-mail.outlook.com, the same Exchange
 *   Online service): Microsoft documents "Saves to Sent Items folder: Yes" for client submission (SMTP AUTH) only;
 *   relay and Direct Send (*.mail.protection.outlook.com) do not, and are not matched.
 */
export function providerFilingSentMail(smtpHost: string): string | null {
  const family = familyOf(smtpHost);
  return family && presetForHost(smtpHost)?.filesSentMail ? family.label : null;
}

/** What to do when a known provider refuses the login, in its own terms; null for unknown servers. */
export function providerLoginHint(host: string): string | null {
  const preset = presetForHost(host);
  if (!preset) return null;
  switch (preset.oauthProvider) {
    case 'google':
      return 'Gmail and Google Workspace refuse the account password: use an App Password (needs 2-Step Verification), or connect with Google (OAuth2) where App Passwords are not allowed. IMAP must be turned on in Gmail settings.';
    case 'microsoft':
      return 'Microsoft 365 and Outlook.com no longer accept passwords for IMAP: connect with Microsoft (OAuth2). For SMTP, "Authenticated SMTP" must be on for the mailbox.';
    default:
      return `${preset.name} needs an app password here, not the account password. ${preset.setup}`;
  }
}
