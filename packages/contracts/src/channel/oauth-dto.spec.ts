import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validate, type ValidationError } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { PatchEmailChannelDto } from './channel-dto.js';
import { mailAuthOf } from './mail-auth.js';
import { OAuthClientDto, StartOAuthDto } from './oauth-dto.js';

async function invalidPaths(type: new () => object, plain: object): Promise<string[]> {
  const errors = await validate(plainToInstance(type, plain), { whitelist: true, forbidNonWhitelisted: true });
  const paths = (list: ValidationError[], parent: string): string[] =>
    list.flatMap((error) => {
      const path = parent ? `${parent}.${error.property}` : error.property;
      return [...(error.constraints ? [path] : []), ...paths(error.children ?? [], path)];
    });
  return paths(errors, '');
}

describe('auth in the channel DTOs', () => {
  it('takes password, and oauth2 with google or microsoft, on imap and smtp', async () => {
    for (const auth of [{ type: 'password' }, { type: 'oauth2', provider: 'google' }, { type: 'oauth2', provider: 'microsoft' }]) {
      expect(await invalidPaths(PatchEmailChannelDto, { imap: { auth }, smtp: { auth } }), JSON.stringify(auth)).toEqual([]);
    }
  });

  it('names auth.provider when missing or unknown with oauth2, or given with password; auth.type when unknown', async () => {
    expect(await invalidPaths(PatchEmailChannelDto, { imap: { auth: { type: 'oauth2' } } })).toEqual(['imap.auth.provider']);
    expect(await invalidPaths(PatchEmailChannelDto, { smtp: { auth: { type: 'oauth2', provider: 'yahoo' } } })).toEqual(['smtp.auth.provider']);
    expect(await invalidPaths(PatchEmailChannelDto, { imap: { auth: { type: 'password', provider: 'google' } } })).toEqual(['imap.auth.provider']);
    expect(await invalidPaths(PatchEmailChannelDto, { imap: { auth: { type: 'kerberos' } } })).toEqual(['imap.auth.type']);
  });

  it('checks the start and client bodies', async () => {
    expect(await invalidPaths(StartOAuthDto, { provider: 'google' })).toEqual([]);
    expect(await invalidPaths(StartOAuthDto, { provider: 'aol' })).toEqual(['provider']);
    expect(await invalidPaths(OAuthClientDto, { clientId: 'id', clientSecret: '' })).toEqual(['clientSecret']);
  });
});

describe('mailAuthOf', () => {
  it('reads a snapshot without auth (written before OAuth) as password', () => {
    expect(mailAuthOf({})).toEqual({ type: 'password' });
    expect(mailAuthOf(null)).toEqual({ type: 'password' });
    expect(mailAuthOf({ auth: { type: 'oauth2', provider: 'microsoft' } })).toEqual({ type: 'oauth2', provider: 'microsoft' });
  });
});
