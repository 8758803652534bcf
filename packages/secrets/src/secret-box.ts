import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SealedSecret } from '@ensoras/contracts';

const VERSION = 'v1';

/**
 * AES-256-GCM: confidentiality and integrity, a fresh 96-bit nonce per secret. The sealed form is
 * `v1.<nonce>.<tag>.<ciphertext>` in base64url, so it fits a JSON column or event field as a plain string.
 */
export class SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('SECRETS_KEY must be 32 bytes (base64 or hex)');
  }

  seal(plainText: string): SealedSecret {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    const body = Buffer.concat([cipher.update(plainText, 'utf8'), cipher.final()]);
    const parts = [nonce, cipher.getAuthTag(), body].map((part) => part.toString('base64url'));
    return { sealed: [VERSION, ...parts].join('.') };
  }

  open(secret: SealedSecret): string {
    const [version, nonce, tag, body] = secret.sealed.split('.');
    if (version !== VERSION || !nonce || !tag || body === undefined) throw new Error('Not a sealed secret');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(nonce, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  }
}
