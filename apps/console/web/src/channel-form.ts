/**
 * The Email channel form as plain data: what it shows for a saved channel, what a new one starts with, the Gmail
 * preset, and the request a save sends (PUT for a channel that does not exist yet, PATCH otherwise). Pure, so the
 * rules are unit-tested without a browser.
 */
import type { AiMode, EmailChannelView, EmailProviderPreset, ImapEncryption, MailAuth, OAuthProvider, SmtpEncryption } from '@ensoras/contracts';
import type { ChannelRequestBody } from './api-types.ts';

/** The API's limits and defaults (channel-settings.ts in @ensoras/contracts; imported as types only, so repeated). */
export const MAX_RESPONSE_DELAY_SECONDS = 172_800;
export const MAX_HANDOFF_TEXT_LENGTH = 2_000;
export const DEFAULT_HANDOFF_TEXT = 'Thank you for your message. A member of our team will get back to you shortly.';
export const DEFAULT_IMPORT_DAYS = 14;

/** The spec's words for each encryption, in the spec's order. */
export const IMAP_ENCRYPTION_OPTIONS = [
  { value: 'starttls', label: 'StartTLS' },
  { value: 'tcp', label: 'TCP' },
  { value: 'ssl', label: 'SSL' },
  { value: 'tls', label: 'TLS' },
] as const satisfies readonly { value: ImapEncryption; label: string }[];

export const SMTP_ENCRYPTION_OPTIONS = [
  { value: 'none', label: 'None' },
  { value: 'tls', label: 'TLS' },
  { value: 'ssl', label: 'SSL' },
] as const satisfies readonly { value: SmtpEncryption; label: string }[];

export const AI_MODE_OPTIONS = [
  { value: 'auto', label: 'Auto' },
  { value: 'draft', label: 'Draft' },
  { value: 'off', label: 'Off' },
] as const satisfies readonly { value: AiMode; label: string }[];

// Each list names every value the API knows: a new value in the contracts fails the type check here.
type Missing<All, Listed> = Exclude<All, Listed> extends never ? true : never;
const _allImap: Missing<ImapEncryption, (typeof IMAP_ENCRYPTION_OPTIONS)[number]['value']> = true;
const _allSmtp: Missing<SmtpEncryption, (typeof SMTP_ENCRYPTION_OPTIONS)[number]['value']> = true;
const _allModes: Missing<AiMode, (typeof AI_MODE_OPTIONS)[number]['value']> = true;
void [_allImap, _allSmtp, _allModes];

/** A number input's value: empty while nothing is typed. */
export type NumberValue = number | '';

/** How a direction logs in: its password, or OAuth2 with a provider (the grant is connected apart from Save). */
export type SignIn = 'password' | OAuthProvider;

export const SIGN_IN_OPTIONS: ReadonlyArray<{ value: SignIn; label: string }> = [
  { value: 'password', label: 'Password' },
  { value: 'google', label: 'OAuth2 with Google' },
  { value: 'microsoft', label: 'OAuth2 with Microsoft' },
];

export interface ChannelFormValues {
  imap: {
    signIn: SignIn;
    host: string;
    port: NumberValue;
    encryption: ImapEncryption;
    username: string;
    /** Empty: keep the saved password (or none, for a new channel). */
    password: string;
    validateCertificate: boolean;
    markAsRead: boolean;
  };
  smtp: {
    signIn: SignIn;
    host: string;
    port: NumberValue;
    encryption: SmtpEncryption;
    username: string;
    password: string;
    validateCertificate: boolean;
  };
  identity: { fromEmail: string; fromName: string; signatureHtml: string };
  guidelines: string;
  responseDelay: { minSeconds: NumberValue; maxSeconds: NumberValue };
  aiMode: AiMode;
  handoff: { acknowledge: boolean; text: string };
  sentFolder: { append: boolean };
  safety: {
    maxMessageSizeMb: NumberValue;
    maxAiRepliesPerTicket: NumberValue;
    maxAiRepliesPerAddress: NumberValue;
    loopWindowMinutes: NumberValue;
    maxAiRepliesPerHour: NumberValue;
  };
  import: {
    /** `YYYY-MM-DD`, or empty for the API's choice (a new channel: the last DEFAULT_IMPORT_DAYS days). */
    since: string;
    /** The whole mailbox (`since: null`). */
    all: boolean;
  };
}

/**
 * Every field path of the form in the order it shows them: the paths the API's 400 names (field-errors.ts), and
 * the ids of the inputs (`fieldId`).
 */
export const CHANNEL_FIELDS = [
  'imap.host',
  'imap.port',
  'imap.encryption',
  'imap.username',
  'imap.password',
  'imap.validateCertificate',
  'imap.markAsRead',
  'sentFolder.append',
  'smtp.host',
  'smtp.port',
  'smtp.encryption',
  'smtp.username',
  'smtp.password',
  'smtp.validateCertificate',
  'identity.fromEmail',
  'identity.fromName',
  'identity.signatureHtml',
  'guidelines',
  'responseDelay.minSeconds',
  'responseDelay.maxSeconds',
  'aiMode',
  'handoff.acknowledge',
  'handoff.text',
  'safety.maxMessageSizeMb',
  'safety.maxAiRepliesPerTicket',
  'safety.maxAiRepliesPerAddress',
  'safety.loopWindowMinutes',
  'safety.maxAiRepliesPerHour',
  'import.since',
] as const;
export type ChannelField = (typeof CHANNEL_FIELDS)[number];

/** The DOM id of a field's input, e.g. `channel-imap-port`. */
export const fieldId = (path: ChannelField): string => `channel-${path.replace(/\./g, '-')}`;

/** What a channel that was never configured starts with: the API's defaults and the spec's common values. */
export function newChannelForm(): ChannelFormValues {
  return {
    imap: { signIn: 'password', host: '', port: 993, encryption: 'ssl', username: '', password: '', validateCertificate: true, markAsRead: false },
    smtp: { signIn: 'password', host: '', port: 587, encryption: 'tls', username: '', password: '', validateCertificate: true },
    identity: { fromEmail: '', fromName: '', signatureHtml: '' },
    guidelines: '',
    responseDelay: { minSeconds: 30, maxSeconds: 120 },
    aiMode: 'auto',
    handoff: { acknowledge: false, text: DEFAULT_HANDOFF_TEXT },
    sentFolder: { append: true },
    safety: { maxMessageSizeMb: 25, maxAiRepliesPerTicket: 3, maxAiRepliesPerAddress: 5, loopWindowMinutes: 60, maxAiRepliesPerHour: 300 },
    import: { since: '', all: false },
  };
}

/** The form for a saved channel. Passwords are never shown: their inputs start empty ("saved" as placeholder). */
export function channelFormFromView(view: EmailChannelView | null): ChannelFormValues {
  const form = newChannelForm();
  if (!view) return form;
  if (view.imap) {
    const { host, port, encryption, username, validateCertificate, markAsRead } = view.imap;
    form.imap = { signIn: signInOf(view.imap.auth), host, port, encryption, username, password: '', validateCertificate, markAsRead };
  }
  if (view.smtp) {
    const { host, port, encryption, username, validateCertificate } = view.smtp;
    form.smtp = { signIn: signInOf(view.smtp.auth), host, port, encryption, username, password: '', validateCertificate };
  }
  if (view.identity) form.identity = { ...view.identity, signatureHtml: view.identity.signatureHtml ?? '' };
  form.guidelines = view.guidelines ?? '';
  form.responseDelay = { ...view.responseDelay };
  form.aiMode = view.aiMode ?? 'auto';
  form.handoff = { ...form.handoff, ...view.handoff };
  // Absent from a view of an older channel-config: the API's default, append.
  form.sentFolder = { append: view.sentFolder?.append !== false };
  form.safety = { ...form.safety, ...definedOnly(view.safety) };
  const since = view.import?.since;
  form.import = since === null ? { since: '', all: true } : { since: since ? dateOnly(since) : '', all: false };
  return form;
}

/** The spec's Gmail values: IMAP imap.gmail.com:993 SSL, SMTP smtp.gmail.com:587 TLS (STARTTLS), certificates checked. */
export function withGmailPreset(values: ChannelFormValues): ChannelFormValues {
  return {
    ...values,
    imap: { ...values.imap, host: 'imap.gmail.com', port: 993, encryption: 'ssl', validateCertificate: true },
    smtp: { ...values.smtp, host: 'smtp.gmail.com', port: 587, encryption: 'tls', validateCertificate: true },
  };
}

/**
 * A provider's servers (GET /v1/presets/email): hosts, ports and encryption of both sides, certificates checked.
 * Usernames and passwords stay as typed: the preset knows the provider, not the mailbox.
 */
export function withProviderPreset(values: ChannelFormValues, preset: Pick<EmailProviderPreset, 'imap' | 'smtp'>): ChannelFormValues {
  return {
    ...values,
    imap: { ...values.imap, ...preset.imap, validateCertificate: true },
    smtp: { ...values.smtp, ...preset.smtp, validateCertificate: true },
  };
}

export interface ChannelSave {
  method: 'PUT' | 'PATCH';
  body: ChannelRequestBody;
}

/**
 * What Save sends. A channel that does not exist yet is PUT whole; a saved one is PATCHed with every setting of the
 * form (settings equal to the saved ones are no change), so the API validates the merged whole and names each bad
 * field. Passwords left empty are left out: the API keeps the saved ones (and says so by field when the connection
 * they belong to changes). The history import is sent only when it was changed (a PUT keeps the saved choice, a
 * PATCH leaves it alone), and left out when empty, which is the API's default.
 */
export function channelSave(values: ChannelFormValues, saved: EmailChannelView | null, initial: ChannelFormValues): ChannelSave {
  const body: ChannelRequestBody = {
    imap: {
      host: values.imap.host.trim(),
      port: numberOrNull(values.imap.port),
      encryption: values.imap.encryption,
      username: values.imap.username.trim(),
      ...credentialFields(values.imap),
      validateCertificate: values.imap.validateCertificate,
      markAsRead: values.imap.markAsRead,
    },
    smtp: {
      host: values.smtp.host.trim(),
      port: numberOrNull(values.smtp.port),
      encryption: values.smtp.encryption,
      username: values.smtp.username.trim(),
      ...credentialFields(values.smtp),
      validateCertificate: values.smtp.validateCertificate,
    },
    identity: {
      fromEmail: values.identity.fromEmail.trim(),
      fromName: values.identity.fromName,
      signatureHtml: values.identity.signatureHtml,
    },
    guidelines: values.guidelines,
    responseDelay: { minSeconds: numberOrNull(values.responseDelay.minSeconds), maxSeconds: numberOrNull(values.responseDelay.maxSeconds) },
    safety: {
      maxMessageSizeMb: numberOrNull(values.safety.maxMessageSizeMb),
      maxAiRepliesPerTicket: numberOrNull(values.safety.maxAiRepliesPerTicket),
      maxAiRepliesPerAddress: numberOrNull(values.safety.maxAiRepliesPerAddress),
      loopWindowMinutes: numberOrNull(values.safety.loopWindowMinutes),
      // Optional in the API: empty means its default.
      ...(values.safety.maxAiRepliesPerHour === '' ? {} : { maxAiRepliesPerHour: values.safety.maxAiRepliesPerHour }),
    },
    aiMode: values.aiMode,
    handoff: { acknowledge: values.handoff.acknowledge, text: values.handoff.text },
    sentFolder: { append: values.sentFolder.append },
  };
  const importChanged = values.import.all !== initial.import.all || values.import.since !== initial.import.since;
  if (importChanged || (!saved && (values.import.all || values.import.since !== ''))) {
    if (values.import.all) body.import = { since: null };
    else if (values.import.since !== '') body.import = { since: values.import.since };
  }
  return { method: saved ? 'PATCH' : 'PUT', body };
}

/** Whether the form differs from what it started with (passwords typed count). */
export function isDirty(values: ChannelFormValues, initial: ChannelFormValues): boolean {
  return JSON.stringify(values) !== JSON.stringify(initial);
}

/** The `YYYY-MM-DD` (UTC) of an ISO date-time; the API compares history by day. */
export function dateOnly(iso: string): string {
  const match = /^\d{4}-\d{2}-\d{2}/.exec(iso);
  if (match && iso.length === 10) return match[0];
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? (match?.[0] ?? '') : date.toISOString().slice(0, 10);
}

function numberOrNull(value: NumberValue): number | null {
  return value === '' || Number.isNaN(value) ? null : value;
}

function passwordField(password: string): { password?: string } {
  return password === '' ? {} : { password };
}

function definedOnly<T extends object>(values: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(values ?? {}).filter(([, value]) => value !== undefined && value !== null)) as Partial<T>;
}

/** A view's auth as the form's choice; absent (an older channel-config) is the password. */
function signInOf(auth: MailAuth | undefined): SignIn {
  return auth?.type === 'oauth2' ? auth.provider : 'password';
}

/** `auth`, and the password only where the direction logs in with one (the API refuses it with OAuth2). */
function credentialFields(side: { signIn: SignIn; password: string }): { auth: MailAuth; password?: string } {
  if (side.signIn !== 'password') return { auth: { type: 'oauth2', provider: side.signIn } };
  return { auth: { type: 'password' }, ...passwordField(side.password) };
}
