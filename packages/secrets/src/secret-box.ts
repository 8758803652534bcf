import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import type { SealedSecret } from '@ensoras/contracts';

/** Before AAD and key ids: `v1.<nonce>.<tag>.<ciphertext>`. Still opened, only to be re-sealed. */
const LEGACY_VERSION = 'v1';
/** `v2.<key id>.<nonce>.<tag>.<ciphertext>`, sealed with the context as additional authenticated data. */
const VERSION = 'v2';
const NONCE_BYTES = 12;
/** GCM accepts tags down to 4 bytes when told nothing; a short tag is a forgery made easy, so exactly 16. */
const TAG_BYTES = 16;

/**
 * What a sealed secret is bound to. The same ciphertext presented for another project, field, host, port,
 * encryption or username does not open: whoever can rewrite the channel-settings bucket cannot point a stored
 * password at a server of their own.
 */
export interface SealingContext {
  projectId: string;
  field: SealedField;
  host: string;
  port: number;
  encryption: string;
  username: string;
}

/**
 * What a sealed secret is: a channel password, the access token a direction logs in with (bound to that direction's
 * connection like its password), or one of channel-config's OAuth secrets (bound to the provider and what they belong to).
 */
export type SealedField =
  | 'imap.password'
  | 'smtp.password'
  | 'imap.access_token'
  | 'smtp.access_token'
  | 'oauth.refresh_token'
  | 'oauth.access_token'
  | 'oauth.code_verifier'
  | 'oauth.client_secret';

/** The context of a channel password, from the section (imap or smtp) that holds it. */
export function channelPasswordContext(
  projectId: string,
  section: 'imap' | 'smtp',
  settings: { host: string; port: number; encryption: string; username: string },
): SealingContext {
  const { host, port, encryption, username } = settings;
  return { projectId, field: `${section}.password`, host, port, encryption, username };
}

/**
 * The context of a direction's OAuth2 access token in the `oauth-access-tokens` bucket: bound to the same connection
 * settings as a password, so a bucket entry cannot be replayed against another host or account.
 */
export function channelAccessTokenContext(
  projectId: string,
  section: 'imap' | 'smtp',
  settings: { host: string; port: number; encryption: string; username: string },
): SealingContext {
  const { host, port, encryption, username } = settings;
  return { projectId, field: `${section}.access_token`, host, port, encryption, username };
}

/**
 * The context of an OAuth secret channel-config keeps (refresh token, its own copy of the access token, a PKCE code
 * verifier, a project's client secret): bound to the project, the provider and `owner` (the account, the state's
 * hash, the client id), so a row copied to another project or provider does not open.
 */
export function oauthSecretContext(
  projectId: string,
  field: Extract<SealedField, `oauth.${string}`>,
  provider: string,
  owner: string,
): SealingContext {
  return { projectId, field, host: provider, port: 0, encryption: 'oauth2', username: owner };
}

/** The keys a box holds: `current` seals and opens, `previous` only opens (during a rotation). */
export interface SecretKeys {
  current: Buffer;
  previous?: Buffer[];
}

/**
 * AES-256-GCM with a fresh 96-bit nonce per secret, a 128-bit tag, and the sealing context as AAD. The sealed form
 * is `v2.<key id>.<nonce>.<tag>.<ciphertext>` in base64url, so it fits a JSON column or event field as a string.
 * The key id (derived from the key, not the key) says which key opens it, so a rotation knows what to re-seal.
 */
export class SecretBox {
  private readonly current: { id: string; key: Buffer };
  private readonly byId = new Map<string, Buffer>();

  constructor(keys: Buffer | SecretKeys) {
    const { current, previous = [] } = Buffer.isBuffer(keys) ? { current: keys } : keys;
    for (const key of [current, ...previous]) {
      if (key.length !== 32) throw new Error('SECRETS_KEY must be 32 bytes (base64 or hex)');
      if (!this.byId.has(keyIdOf(key))) this.byId.set(keyIdOf(key), key);
    }
    this.current = { id: keyIdOf(current), key: current };
  }

  /** The id of the key that seals, as it appears in the sealed form. */
  get keyId(): string {
    return this.current.id;
  }

  seal(plainText: string, context: SealingContext): SealedSecret {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(additionalData(context));
    const body = Buffer.concat([cipher.update(plainText, 'utf8'), cipher.final()]);
    const parts = [nonce, cipher.getAuthTag(), body].map((part) => part.toString('base64url'));
    return { sealed: [VERSION, this.current.id, ...parts].join('.') };
  }

  /**
   * Opens a secret sealed for exactly this context, with the current or a previous key. The legacy format (no
   * context) is refused here: it is opened only by `reseal`, at the one place that re-seals stored secrets.
   */
  open(secret: SealedSecret, context: SealingContext): string {
    const parts = secret.sealed.split('.');
    if (parts[0] === LEGACY_VERSION) throw new Error('Sealed in the old format (no context): re-seal it first');
    if (parts[0] !== VERSION || parts.length !== 5) throw new Error('Not a sealed secret');
    const [, keyId, nonce, tag, body] = parts;
    const key = this.byId.get(keyId);
    if (!key) throw new Error(`Sealed with a key this service does not hold (key id ${keyId})`);
    return decrypt(key, nonce, tag, body, additionalData(context));
  }

  /** True when the secret is in the legacy format or sealed with a key other than the current one. */
  needsResealing(secret: SealedSecret): boolean {
    const [version, keyId] = secret.sealed.split('.');
    return version !== VERSION || keyId !== this.current.id;
  }

  /**
   * The same secret sealed with the current key for `context`: from the legacy format (tried with every key held)
   * or from a previous key (opened for the same context). A secret that needs nothing comes back as it is.
   */
  reseal(secret: SealedSecret, context: SealingContext): SealedSecret {
    if (!this.needsResealing(secret)) return secret;
    return this.seal(this.openAny(secret, context), context);
  }

  private openAny(secret: SealedSecret, context: SealingContext): string {
    const parts = secret.sealed.split('.');
    if (parts[0] !== LEGACY_VERSION) return this.open(secret, context);
    if (parts.length !== 4) throw new Error('Not a sealed secret');
    const [, nonce, tag, body] = parts;
    for (const key of this.byId.values()) {
      try {
        return decrypt(key, nonce, tag, body, null);
      } catch {
        // the next key, if any
      }
    }
    throw new Error('Sealed with a key this service does not hold');
  }
}

function decrypt(key: Buffer, nonce: string, tag: string, body: string, aad: Buffer | null): string {
  const nonceBytes = Buffer.from(nonce, 'base64url');
  const tagBytes = Buffer.from(tag, 'base64url');
  if (nonceBytes.length !== NONCE_BYTES || tagBytes.length !== TAG_BYTES) throw new Error('Not a sealed secret');
  const decipher = createDecipheriv('aes-256-gcm', key, nonceBytes, { authTagLength: TAG_BYTES });
  if (aad) decipher.setAAD(aad);
  decipher.setAuthTag(tagBytes);
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
}

/** An unambiguous encoding of the context (a JSON array: no field can run into the next). */
function additionalData(context: SealingContext): Buffer {
  const { projectId, field, host, port, encryption, username } = context;
  return Buffer.from(JSON.stringify(['ensoras.sealed.v2', projectId, field, host, port, encryption, username]), 'utf8');
}

/** 8 characters naming a key without revealing anything about it. */
function keyIdOf(key: Buffer): string {
  return createHmac('sha256', key).update('ensoras secrets key id').digest().subarray(0, 6).toString('base64url');
}
