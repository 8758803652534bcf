/**
 * How a PUT or PATCH body becomes the stored channel: defaults, field-by-field merging, password handling, and the
 * validation of the merged result. Pure apart from sealing, so the rules are unit-tested without a server.
 *
 * A stored password never follows the connection somewhere else: changing host, port, encryption or username of
 * IMAP or SMTP takes the password in the same request. Otherwise whoever holds the admin token could point the
 * stored password at a server of their own and read it there (Test Connection would log in with it).
 */
import { BadRequestException, NotFoundException } from '@nestjs/common';
import {
  DEFAULT_AI_MODE,
  DEFAULT_CHANNEL_SAFETY,
  DEFAULT_HANDOFF,
  DEFAULT_SENT_FOLDER,
  defaultImportSince,
  PutEmailChannelDto,
  type AiMode,
  type ChannelSafety,
  type EmailIdentity,
  type HandoffSettings,
  type ImapSettings,
  type ImportSettings,
  type MailAuth,
  type OAuthProvider,
  type PatchEmailChannelDto,
  type ResponseDelay,
  type SealedSecret,
  type SentFolderSettings,
  type SmtpSettings,
} from '@ensoras/contracts';
import { sanitizeMailHtml } from '@ensoras/mail';
import { validationPipe } from '@ensoras/runtime';
import { channelPasswordContext, type SealingContext } from '@ensoras/secrets';
import {
  DEFAULT_MARK_AS_READ,
  DEFAULT_RESPONSE_DELAY,
  DEFAULT_VALIDATE_CERTIFICATE,
  type EmailChannelSettings,
} from './email-channel-settings.js';

/** What merging needs of the SecretBox. */
export interface SecretSealer {
  seal(plainText: string, context: SealingContext): SealedSecret;
  open(secret: SealedSecret, context: SealingContext): string;
}

/** Sealing binds each password to its project and connection, so merging needs both. */
export interface Sealing {
  projectId: string;
  box: SecretSealer;
  /**
   * The only hosts a direction that logs in with `provider`'s access token may name (a token must not be sent to a
   * server of someone's choosing, as a stored password must not). Left out: any host.
   */
  oauthMailHosts?: (provider: OAuthProvider) => readonly string[];
}

/** The settings a password is bound to: change one, and the password must come again. */
export const CONNECTION_FIELDS = ['host', 'port', 'encryption', 'username'] as const;

export interface SettingsChange {
  settings: EmailChannelSettings;
  /** Dotted paths that differ from what was stored (every path for a new channel); passwords by path only. */
  changedFields: string[];
}

/** A 400 in the same shape as the global validation pipe's: `message` lists `<field path>: <reason>`. */
export class InvalidChannelSettings extends BadRequestException {
  constructor(readonly fieldErrors: string[]) {
    super({ statusCode: 400, error: 'Bad Request', message: fieldErrors });
  }
}

/** The settings a merge starts from and produces, before the required fields are known to be there. */
interface Draft {
  imap: Partial<ImapSettings> & { auth: MailAuth };
  smtp: Partial<SmtpSettings> & { auth: MailAuth };
  identity: Partial<EmailIdentity>;
  guidelines: string;
  responseDelay: Partial<ResponseDelay>;
  safety: Partial<ChannelSafety>;
  import: ImportSettings;
  aiMode: AiMode;
  handoff: Partial<HandoffSettings>;
  sentFolder: Partial<SentFolderSettings>;
}

type Body = PutEmailChannelDto | PatchEmailChannelDto;

/**
 * PUT replaces the channel: optional settings left out take their defaults (not the stored values), except the
 * passwords, which are kept when left out. Without a stored password, leaving it out is a 400 naming the field.
 * The history import is kept too: its default is relative to when the channel was first configured.
 */
export async function settingsFromPut(
  body: PutEmailChannelDto,
  stored: EmailChannelSettings | null,
  sealing: Sealing,
  now = new Date(),
): Promise<SettingsChange> {
  const defaults: Draft = {
    // The login kind is kept when left out, like the passwords (a password channel stays one).
    imap: { validateCertificate: DEFAULT_VALIDATE_CERTIFICATE, markAsRead: DEFAULT_MARK_AS_READ, auth: stored?.imap.auth ?? { type: 'password' } },
    smtp: { validateCertificate: DEFAULT_VALIDATE_CERTIFICATE, auth: stored?.smtp.auth ?? { type: 'password' } },
    identity: { signatureHtml: '' },
    guidelines: '',
    responseDelay: { ...DEFAULT_RESPONSE_DELAY },
    safety: { ...DEFAULT_CHANNEL_SAFETY },
    import: stored ? { ...stored.import } : { since: defaultImportSince(now) },
    aiMode: DEFAULT_AI_MODE,
    handoff: { ...DEFAULT_HANDOFF },
    sentFolder: { ...DEFAULT_SENT_FOLDER },
  };
  return merge(defaults, body, stored, sealing);
}

/**
 * PATCH merges into the stored channel field by field (nested objects too); passwords left out are kept. A channel
 * that was never configured cannot be patched (404), unless the body is a complete channel, which then counts as
 * its first configuration, with the same defaults as a PUT.
 */
export async function settingsFromPatch(
  body: PatchEmailChannelDto,
  stored: EmailChannelSettings | null,
  sealing: Sealing,
  now = new Date(),
): Promise<SettingsChange> {
  if (stored) return merge(draftOf(stored), body, stored, sealing);
  if (!isCompleteChannel(body)) {
    throw new NotFoundException(
      'The email channel is not configured yet: PUT the complete settings, or PATCH with complete imap, smtp and identity',
    );
  }
  return settingsFromPut(body as PutEmailChannelDto, null, sealing, now);
}

/** Whether a body carries every required setting of imap, smtp and identity (passwords are checked later). */
export function isCompleteChannel(body: Body): boolean {
  const has = (section: object | undefined, keys: string[]) =>
    section !== undefined && keys.every((key) => (section as Record<string, unknown>)[key] !== undefined);
  return (
    has(body.imap, ['host', 'port', 'encryption', 'username']) &&
    has(body.smtp, ['host', 'port', 'encryption', 'username']) &&
    has(body.identity, ['fromEmail', 'fromName'])
  );
}

/** Dotted paths of every setting, passwords excepted, with their values: what the audit compares. */
export function flattenSettings(settings: EmailChannelSettings): Map<string, unknown> {
  const paths = new Map<string, unknown>();
  const { password: _imapPassword, ...imap } = settings.imap;
  const { password: _smtpPassword, ...smtp } = settings.smtp;
  const sections = {
    imap,
    smtp,
    identity: settings.identity,
    responseDelay: settings.responseDelay,
    safety: settings.safety,
    handoff: settings.handoff,
    sentFolder: settings.sentFolder,
  };
  for (const [section, values] of Object.entries(sections)) {
    // The login kind as one comparable value: `password` or `oauth2:<provider>`.
    for (const [key, value] of Object.entries(values)) paths.set(`${section}.${key}`, key === 'auth' ? authLabel(value as MailAuth) : value);
  }
  paths.set('guidelines', settings.guidelines);
  paths.set('import.since', settings.import.since);
  paths.set('aiMode', settings.aiMode);
  return paths;
}

/** Whether a change touches how the mailbox is reached, so an earlier Test Connection result no longer applies. */
export function affectsConnection(changedFields: string[]): boolean {
  return changedFields.some((path) => (path.startsWith('imap.') && path !== 'imap.markAsRead') || path.startsWith('smtp.'));
}

async function merge(base: Draft, body: Body, stored: EmailChannelSettings | null, sealing: Sealing): Promise<SettingsChange> {
  const errors: string[] = [];
  const { password: imapPassword, auth: imapAuth, ...imapInput } = body.imap ?? {};
  const { password: smtpPassword, auth: smtpAuth, ...smtpInput } = body.smtp ?? {};
  const draft: Draft = {
    imap: { ...base.imap, ...definedFields(imapInput), auth: imapAuth ? mailAuthFrom(imapAuth) : base.imap.auth },
    smtp: { ...base.smtp, ...definedFields(smtpInput), auth: smtpAuth ? mailAuthFrom(smtpAuth) : base.smtp.auth },
    identity: { ...base.identity, ...definedFields(body.identity ?? {}) },
    guidelines: body.guidelines ?? base.guidelines,
    responseDelay: { ...base.responseDelay, ...definedFields(body.responseDelay ?? {}) },
    safety: { ...base.safety, ...definedFields(body.safety ?? {}) },
    import: body.import ? { since: body.import.since } : base.import,
    // null counts as left out, as for guidelines.
    aiMode: body.aiMode ?? base.aiMode,
    handoff: { ...base.handoff, ...definedFields(body.handoff ?? {}) },
    sentFolder: { ...base.sentFolder, ...definedFields(body.sentFolder ?? {}) },
  };
  const imapChoice = passwordChoice('imap', imapPassword, draft.imap, stored?.imap, sealing, errors);
  const smtpChoice = passwordChoice('smtp', smtpPassword, draft.smtp, stored?.smtp, sealing, errors);
  errors.push(...oauthHostErrors('imap', draft.imap, sealing), ...oauthHostErrors('smtp', draft.smtp, sealing));

  errors.push(...(await validationErrorsOf(draft)));
  if (errors.length > 0 || !imapChoice || !smtpChoice) throw new InvalidChannelSettings(errors);

  // Validation passed, so every required field is present.
  const imap = draft.imap as ImapSettings & { auth: MailAuth };
  const smtp = draft.smtp as SmtpSettings & { auth: MailAuth };
  const settings: EmailChannelSettings = {
    imap: { ...imap, password: sealed(imapChoice, sealing, 'imap', imap) },
    smtp: { ...smtp, password: sealed(smtpChoice, sealing, 'smtp', smtp) },
    identity: withSanitizedSignature(draft.identity as EmailIdentity),
    guidelines: draft.guidelines,
    responseDelay: draft.responseDelay as ResponseDelay,
    safety: draft.safety as ChannelSafety,
    // One spelling per instant, so "2026-11-17" sent again is not a change.
    import: { since: draft.import.since === null ? null : new Date(draft.import.since).toISOString() },
    aiMode: draft.aiMode,
    handoff: draft.handoff as HandoffSettings,
    sentFolder: draft.sentFolder as SentFolderSettings,
  };
  const changedPasswords = [imapChoice, smtpChoice].filter((choice) => choice.changed).map((choice) => choice.path);
  return { settings, changedFields: [...diff(stored, settings), ...changedPasswords].sort() };
}

/**
 * The signature goes into every reply, so it is cleaned like received HTML (no scripts, handlers, remote loads),
 * after validation: the limit applies to what the admin sent, not to the escaped result. Cleaning what is already
 * clean changes nothing, so re-sending a stored signature is not a change.
 */
function withSanitizedSignature(identity: EmailIdentity): EmailIdentity {
  return identity.signatureHtml ? { ...identity, signatureHtml: sanitizeMailHtml(identity.signatureHtml, []) } : identity;
}

/** Keep the stored sealed form, or seal `plainText` for the new settings; `changed` when the password itself differs. */
type PasswordChoice =
  | { path: string; changed: boolean; keep: SealedSecret }
  | { path: string; changed: boolean; plainText: string };

interface Connection {
  host: string;
  port: number;
  encryption: string;
  username: string;
  validateCertificate?: boolean;
  auth?: MailAuth;
}
type ConnectionSection = Partial<Connection>;
type StoredSection = Connection & { password: SealedSecret };

/**
 * Left out, the stored password stays, unless the connection it belongs to changes (then, or with none stored,
 * it is an error naming the field). Sent equal to the stored one for unchanged settings, the stored sealed form
 * stays, so re-sending the same form is not a change. Anything else is sealed anew, for the new settings.
 */
function passwordChoice(
  section: 'imap' | 'smtp',
  input: string | undefined,
  next: ConnectionSection,
  stored: StoredSection | undefined,
  sealing: Sealing,
  errors: string[],
): PasswordChoice | undefined {
  const path = `${section}.password`;
  // An OAuth2 direction keeps no password: one sent is refused (it would be stored for nothing), a stored one dropped.
  if (next.auth?.type === 'oauth2') {
    if (input !== undefined) {
      errors.push(`${path}: ${path} is not used with ${section}.auth.type oauth2: leave it out`);
      return undefined;
    }
    return { path, changed: !!stored && stored.password.sealed !== '', keep: { sealed: '' } };
  }
  // Coming from OAuth2, nothing is stored: the password is required like for a new channel.
  if (stored && stored.password.sealed === '') stored = undefined;
  const moved = stored ? CONNECTION_FIELDS.filter((field) => next[field] !== stored[field]).map((field) => `${section}.${field}`) : [];
  // Switching certificate checks off lets whoever sits on the path read the password: only its owner may do that.
  if (stored && stored.validateCertificate !== false && next.validateCertificate === false) moved.push(`${section}.validateCertificate`);
  if (input === undefined) {
    if (!stored) {
      errors.push(`${path}: ${path} is required, no password is stored for this channel yet (or use ${section}.auth oauth2)`);
    } else if (moved.length > 0) {
      errors.push(`${path}: ${path} is required when ${moved.join(', ')} change${moved.length === 1 ? 's' : ''}: the stored password is never sent to other connection settings`);
    } else {
      return { path, changed: false, keep: stored.password };
    }
    return undefined;
  }
  const storedPlainText = stored ? openOrNull(sealing, section, stored) : null;
  if (storedPlainText === input && moved.length === 0 && stored) return { path, changed: false, keep: stored.password };
  return { path, changed: storedPlainText !== input, plainText: input };
}

/** With oauth2, the host must be one of the provider's mail hosts (when the caller says which those are). */
function oauthHostErrors(section: 'imap' | 'smtp', next: ConnectionSection, sealing: Sealing): string[] {
  const auth = next.auth;
  if (auth?.type !== 'oauth2' || !sealing.oauthMailHosts || typeof next.host !== 'string') return [];
  const allowed = sealing.oauthMailHosts(auth.provider);
  if (allowed.includes(next.host.toLowerCase())) return [];
  return [`${section}.host: with ${section}.auth oauth2 (${auth.provider}) the host must be one of ${allowed.join(', ')}: the access token is sent to no other server`];
}

function mailAuthFrom(input: { type: string; provider?: OAuthProvider }): MailAuth {
  return input.type === 'oauth2' && input.provider ? { type: 'oauth2', provider: input.provider } : { type: 'password' };
}

function authLabel(auth: MailAuth): string {
  return auth.type === 'oauth2' ? `oauth2:${auth.provider}` : 'password';
}

function sealed(choice: PasswordChoice, sealing: Sealing, section: 'imap' | 'smtp', settings: Connection): SealedSecret {
  if ('keep' in choice) return choice.keep;
  return sealing.box.seal(choice.plainText, channelPasswordContext(sealing.projectId, section, settings));
}

function openOrNull(sealing: Sealing, section: 'imap' | 'smtp', stored: StoredSection): string | null {
  try {
    return sealing.box.open(stored.password, channelPasswordContext(sealing.projectId, section, stored));
  } catch {
    // Sealed under another key or another context: whatever came in replaces it.
    return null;
  }
}

const putRules = validationPipe();

/** The merged channel against the PUT rules (ports, encryptions, addresses, delay bounds and min ≤ max, safety limits). */
async function validationErrorsOf(draft: Draft): Promise<string[]> {
  try {
    await putRules.transform(draft, { type: 'body', metatype: PutEmailChannelDto });
    return [];
  } catch (error) {
    if (error instanceof BadRequestException) {
      const { message } = error.getResponse() as { message: string[] | string };
      return Array.isArray(message) ? message : [message];
    }
    throw error;
  }
}

function diff(before: EmailChannelSettings | null, after: EmailChannelSettings): string[] {
  const next = flattenSettings(after);
  if (!before) return [...next.keys()];
  const previous = flattenSettings(before);
  return [...next.entries()].filter(([path, value]) => previous.get(path) !== value).map(([path]) => path);
}

function draftOf(stored: EmailChannelSettings): Draft {
  const { password: _imapPassword, ...imap } = stored.imap;
  const { password: _smtpPassword, ...smtp } = stored.smtp;
  return {
    imap,
    smtp,
    identity: { ...stored.identity },
    guidelines: stored.guidelines,
    responseDelay: { ...stored.responseDelay },
    safety: { ...stored.safety },
    import: { ...stored.import },
    aiMode: stored.aiMode,
    handoff: { ...stored.handoff },
    sentFolder: { ...stored.sentFolder },
  };
}

/** DTO instances carry declared-but-absent fields as own `undefined` properties; spreading those would erase values. */
function definedFields<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}
