import { randomBytes } from 'node:crypto';
import { plainToInstance } from 'class-transformer';
import { describe, expect, it } from 'vitest';
import { PatchEmailChannelDto, PutEmailChannelDto, type OAuthProvider } from '@ensoras/contracts';
import { channelPasswordContext, SecretBox } from '@ensoras/secrets';
import { InvalidChannelSettings, settingsFromPatch, settingsFromPut } from './settings-merge.js';

const box = new SecretBox(randomBytes(32));
const GOOGLE_HOSTS = ['imap.gmail.com', 'smtp.gmail.com'];
const sealing = { projectId: 'acme', box, oauthMailHosts: (provider: OAuthProvider) => (provider === 'google' ? GOOGLE_HOSTS : ['outlook.office365.com']) };
const google = { type: 'oauth2', provider: 'google' };

const putBody = (imap: Record<string, unknown>, smtp: Record<string, unknown> = {}) =>
  plainToInstance(PutEmailChannelDto, {
    imap: { host: 'imap.gmail.com', port: 993, encryption: 'ssl', username: 'support@example.test', ...imap },
    smtp: { host: 'smtp.gmail.com', port: 465, encryption: 'ssl', username: 'support@example.test', password: 'smtp-secret', ...smtp },
    identity: { fromEmail: 'support@example.test', fromName: 'Support' },
  });

async function fieldErrorsOf(promise: Promise<unknown>): Promise<string[]> {
  const error = await promise.then(() => null, (reason: unknown) => reason);
  expect(error).toBeInstanceOf(InvalidChannelSettings);
  return (error as InvalidChannelSettings).fieldErrors;
}

describe('imap.auth / smtp.auth', () => {
  it('stores oauth2 without a password, and a password direction beside it as before', async () => {
    const { settings, changedFields } = await settingsFromPut(putBody({ auth: google }), null, sealing);
    expect(settings.imap.auth).toEqual({ type: 'oauth2', provider: 'google' });
    expect(settings.imap.password.sealed).toBe('');
    expect(settings.smtp.auth).toEqual({ type: 'password' });
    expect(box.open(settings.smtp.password, channelPasswordContext('acme', 'smtp', settings.smtp))).toBe('smtp-secret');
    expect(changedFields).toContain('imap.auth');
  });

  it('refuses a password sent with oauth2, naming the field', async () => {
    const errors = await fieldErrorsOf(settingsFromPut(putBody({ auth: google, password: 'x' }), null, sealing));
    expect(errors).toEqual([expect.stringMatching(/^imap\.password: .*not used with imap\.auth\.type oauth2/)]);
  });

  it('drops a stored password when switching to oauth2, and requires one when switching back', async () => {
    const withPassword = (await settingsFromPut(putBody({ password: 'imap-secret' }), null, sealing)).settings;
    const switched = await settingsFromPatch(plainToInstance(PatchEmailChannelDto, { imap: { auth: google } }), withPassword, sealing);
    expect(switched.settings.imap.password.sealed).toBe('');
    expect(switched.changedFields).toEqual(['imap.auth', 'imap.password']);

    const back = plainToInstance(PatchEmailChannelDto, { imap: { auth: { type: 'password' } } });
    expect(await fieldErrorsOf(settingsFromPatch(back, switched.settings, sealing))).toEqual([expect.stringMatching(/^imap\.password: imap\.password is required/)]);
    const backWithPassword = plainToInstance(PatchEmailChannelDto, { imap: { auth: { type: 'password' }, password: 'new-secret' } });
    const restored = await settingsFromPatch(backWithPassword, switched.settings, sealing);
    expect(box.open(restored.settings.imap.password, channelPasswordContext('acme', 'imap', restored.settings.imap))).toBe('new-secret');
  });

  it('keeps the stored kind when a PUT leaves auth out, as it keeps a stored password', async () => {
    const first = (await settingsFromPut(putBody({ auth: google }), null, sealing)).settings;
    const again = await settingsFromPut(putBody({}), first, sealing);
    expect(again.settings.imap.auth).toEqual({ type: 'oauth2', provider: 'google' });
    expect(again.changedFields).toEqual([]);
  });

  it('sends an access token only to the provider own mail hosts', async () => {
    const errors = await fieldErrorsOf(settingsFromPut(putBody({ auth: google, host: 'mail.attacker.test' }), null, sealing));
    expect(errors).toEqual([expect.stringMatching(/^imap\.host: with imap\.auth oauth2 \(google\) the host must be one of imap\.gmail\.com, smtp\.gmail\.com/)]);
    const microsoft = { type: 'oauth2', provider: 'microsoft' };
    expect(await fieldErrorsOf(settingsFromPut(putBody({ password: 'p' }, { auth: microsoft, password: undefined }), null, sealing))).toEqual([
      expect.stringMatching(/^smtp\.host: /),
    ]);
  });
});
