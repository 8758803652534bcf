/**
 * How a PUT or PATCH body becomes the stored channel: defaults, field-by-field merging, password handling, and the
 * validation of the merged result. Pure apart from sealing, so the rules are unit-tested without a server.
 */
import { BadRequestException, NotFoundException } from '@nestjs/common';
import {
  DEFAULT_CHANNEL_SAFETY,
  PutEmailChannelDto,
  type ChannelSafety,
  type EmailIdentity,
  type ImapSettings,
  type PatchEmailChannelDto,
  type ResponseDelay,
  type SealedSecret,
  type SmtpSettings,
} from '@ensoras/contracts';
import { validationPipe } from '@ensoras/runtime';
import {
  DEFAULT_MARK_AS_READ,
  DEFAULT_RESPONSE_DELAY,
  DEFAULT_VALIDATE_CERTIFICATE,
  type EmailChannelSettings,
} from './email-channel-settings.js';

/** What merging needs of the SecretBox. */
export interface SecretSealer {
  seal(plainText: string): SealedSecret;
  open(secret: SealedSecret): string;
}

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
  imap: Partial<ImapSettings>;
  smtp: Partial<SmtpSettings>;
  identity: Partial<EmailIdentity>;
  guidelines: string;
  responseDelay: Partial<ResponseDelay>;
  safety: Partial<ChannelSafety>;
}

type Body = PutEmailChannelDto | PatchEmailChannelDto;

/**
 * PUT replaces the channel: optional settings left out take their defaults (not the stored values), except the
 * passwords, which are kept when left out. Without a stored password, leaving it out is a 400 naming the field.
 */
export async function settingsFromPut(
  body: PutEmailChannelDto,
  stored: EmailChannelSettings | null,
  sealer: SecretSealer,
): Promise<SettingsChange> {
  const defaults: Draft = {
    imap: { validateCertificate: DEFAULT_VALIDATE_CERTIFICATE, markAsRead: DEFAULT_MARK_AS_READ },
    smtp: { validateCertificate: DEFAULT_VALIDATE_CERTIFICATE },
    identity: { signatureHtml: '' },
    guidelines: '',
    responseDelay: { ...DEFAULT_RESPONSE_DELAY },
    safety: { ...DEFAULT_CHANNEL_SAFETY },
  };
  return merge(defaults, body, stored, sealer);
}

/**
 * PATCH merges into the stored channel field by field (nested objects too); passwords left out are kept. A channel
 * that was never configured cannot be patched (404), unless the body is a complete channel, which then counts as
 * its first configuration, with the same defaults as a PUT.
 */
export async function settingsFromPatch(
  body: PatchEmailChannelDto,
  stored: EmailChannelSettings | null,
  sealer: SecretSealer,
): Promise<SettingsChange> {
  if (stored) return merge(draftOf(stored), body, stored, sealer);
  if (!isCompleteChannel(body)) {
    throw new NotFoundException(
      'The email channel is not configured yet: PUT the complete settings, or PATCH with complete imap, smtp and identity',
    );
  }
  return settingsFromPut(body as PutEmailChannelDto, null, sealer);
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
  const sections = { imap, smtp, identity: settings.identity, responseDelay: settings.responseDelay, safety: settings.safety };
  for (const [section, values] of Object.entries(sections)) {
    for (const [key, value] of Object.entries(values)) paths.set(`${section}.${key}`, value);
  }
  paths.set('guidelines', settings.guidelines);
  return paths;
}

/** Whether a change touches how the mailbox is reached, so an earlier Test Connection result no longer applies. */
export function affectsConnection(changedFields: string[]): boolean {
  return changedFields.some((path) => (path.startsWith('imap.') && path !== 'imap.markAsRead') || path.startsWith('smtp.'));
}

async function merge(base: Draft, body: Body, stored: EmailChannelSettings | null, sealer: SecretSealer): Promise<SettingsChange> {
  const errors: string[] = [];
  const changedPasswords: string[] = [];
  const { password: imapPassword, ...imapInput } = body.imap ?? {};
  const { password: smtpPassword, ...smtpInput } = body.smtp ?? {};
  const draft: Draft = {
    imap: { ...base.imap, ...definedFields(imapInput) },
    smtp: { ...base.smtp, ...definedFields(smtpInput) },
    identity: { ...base.identity, ...definedFields(body.identity ?? {}) },
    guidelines: body.guidelines ?? base.guidelines,
    responseDelay: { ...base.responseDelay, ...definedFields(body.responseDelay ?? {}) },
    safety: { ...base.safety, ...definedFields(body.safety ?? {}) },
  };
  const imapSealed = mergePassword('imap.password', imapPassword, stored?.imap.password, sealer, errors, changedPasswords);
  const smtpSealed = mergePassword('smtp.password', smtpPassword, stored?.smtp.password, sealer, errors, changedPasswords);

  errors.push(...(await validationErrorsOf(draft)));
  if (errors.length > 0 || !imapSealed || !smtpSealed) throw new InvalidChannelSettings(errors);

  // Validation passed, so every required field is present.
  const settings: EmailChannelSettings = {
    imap: { ...(draft.imap as ImapSettings), password: imapSealed },
    smtp: { ...(draft.smtp as SmtpSettings), password: smtpSealed },
    identity: draft.identity as EmailIdentity,
    guidelines: draft.guidelines,
    responseDelay: draft.responseDelay as ResponseDelay,
    safety: draft.safety as ChannelSafety,
  };
  return { settings, changedFields: [...diff(stored, settings), ...changedPasswords].sort() };
}

/**
 * A new password is sealed; a password equal to the stored one keeps the stored sealed form, so re-sending the
 * same form is not a change. Left out, the stored one stays (and without one stored, that is an error).
 */
function mergePassword(
  path: string,
  input: string | undefined,
  stored: SealedSecret | undefined,
  sealer: SecretSealer,
  errors: string[],
  changed: string[],
): SealedSecret | undefined {
  if (input === undefined) {
    if (!stored) errors.push(`${path}: ${path} is required, no password is stored for this channel yet`);
    return stored;
  }
  if (stored && openOrNull(sealer, stored) === input) return stored;
  changed.push(path);
  return sealer.seal(input);
}

function openOrNull(sealer: SecretSealer, secret: SealedSecret): string | null {
  try {
    return sealer.open(secret);
  } catch {
    // Sealed under another key: whatever came in replaces it.
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
  };
}

/** DTO instances carry declared-but-absent fields as own `undefined` properties; spreading those would erase values. */
function definedFields<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}
