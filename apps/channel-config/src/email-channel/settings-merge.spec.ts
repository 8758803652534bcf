import { randomBytes } from 'node:crypto';
import { NotFoundException } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { describe, expect, it } from 'vitest';
import { PatchEmailChannelDto, PutEmailChannelDto } from '@ensoras/contracts';
import { SecretBox } from '@ensoras/secrets';
import type { EmailChannelSettings } from './email-channel-settings.js';
import { affectsConnection, InvalidChannelSettings, settingsFromPatch, settingsFromPut } from './settings-merge.js';

const box = new SecretBox(randomBytes(32));

// Bodies go through class-transformer as in a request, so absent fields are present-but-undefined like there.
const putBody = (overrides: Record<string, unknown> = {}) =>
  plainToInstance(PutEmailChannelDto, {
    imap: { host: 'imap.example.test', port: 993, encryption: 'ssl', username: 'support@example.test', password: 'imap-secret' },
    smtp: { host: 'smtp.example.test', port: 587, encryption: 'tls', username: 'support@example.test', password: 'smtp-secret' },
    identity: { fromEmail: 'support@example.test', fromName: 'Support' },
    ...overrides,
  });
const patchBody = (plain: Record<string, unknown>) => plainToInstance(PatchEmailChannelDto, plain);

async function stored(overrides: Record<string, unknown> = {}): Promise<EmailChannelSettings> {
  return (await settingsFromPut(putBody(overrides), null, box)).settings;
}

async function fieldErrorsOf(promise: Promise<unknown>): Promise<string[]> {
  const error = await promise.then(
    () => null,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(InvalidChannelSettings);
  return (error as InvalidChannelSettings).fieldErrors;
}

describe('PUT', () => {
  it('fills the product defaults, seals both passwords and reports every field as changed', async () => {
    const { settings, changedFields } = await settingsFromPut(putBody(), null, box);
    expect(settings.imap).toMatchObject({ validateCertificate: true, markAsRead: false });
    expect(settings.smtp.validateCertificate).toBe(true);
    expect(settings.identity.signatureHtml).toBe('');
    expect(settings.guidelines).toBe('');
    expect(settings.responseDelay).toEqual({ minSeconds: 30, maxSeconds: 120 });
    expect(settings.safety).toEqual({ maxMessageSizeMb: 25, maxAiRepliesPerTicket: 3, maxAiRepliesPerAddress: 5, loopWindowMinutes: 60 });
    expect(JSON.stringify(settings)).not.toContain('imap-secret');
    expect(box.open(settings.imap.password)).toBe('imap-secret');
    expect(box.open(settings.smtp.password)).toBe('smtp-secret');
    expect(changedFields).toEqual(
      expect.arrayContaining(['imap.host', 'imap.password', 'smtp.password', 'responseDelay.minSeconds', 'safety.loopWindowMinutes']),
    );
  });

  it('without a password and none stored is a 400 naming imap.password and smtp.password', async () => {
    const body = putBody();
    delete body.imap.password;
    delete body.smtp.password;
    const errors = await fieldErrorsOf(settingsFromPut(body, null, box));
    expect(errors).toEqual([expect.stringMatching(/^imap\.password: /), expect.stringMatching(/^smtp\.password: /)]);
  });

  it('without a password keeps the stored one, and resets optional settings it leaves out to their defaults', async () => {
    const before = await stored({ guidelines: 'Be brief', responseDelay: { minSeconds: 0, maxSeconds: 5 } });
    const body = putBody({ imap: { host: 'imap.example.test', port: 993, encryption: 'ssl', username: 'support@example.test', markAsRead: true } });
    delete body.smtp.password;
    const { settings, changedFields } = await settingsFromPut(body, before, box);
    expect(settings.imap.password).toEqual(before.imap.password);
    expect(settings.smtp.password).toEqual(before.smtp.password);
    expect(settings.imap.markAsRead).toBe(true);
    expect(settings.guidelines).toBe('');
    expect(settings.responseDelay).toEqual({ minSeconds: 30, maxSeconds: 120 });
    expect(changedFields).toEqual(['guidelines', 'imap.markAsRead', 'responseDelay.maxSeconds', 'responseDelay.minSeconds']);
  });

  it('of the same settings again changes nothing, the same password included', async () => {
    const before = await stored();
    const { settings, changedFields } = await settingsFromPut(putBody(), before, box);
    expect(changedFields).toEqual([]);
    expect(settings.imap.password).toEqual(before.imap.password);
  });

  it('with a new password reports it changed by name only', async () => {
    const before = await stored();
    const body = putBody();
    body.imap.password = 'rotated';
    const { settings, changedFields } = await settingsFromPut(body, before, box);
    expect(changedFields).toEqual(['imap.password']);
    expect(box.open(settings.imap.password)).toBe('rotated');
  });

  it('takes a complete safety block as given, and a later PUT without one resets it to the defaults', async () => {
    const safety = { maxMessageSizeMb: 10, maxAiRepliesPerTicket: 1, maxAiRepliesPerAddress: 2, loopWindowMinutes: 15 };
    const before = await stored({ safety });
    expect(before.safety).toEqual(safety);
    const { settings, changedFields } = await settingsFromPut(putBody(), before, box);
    expect(settings.safety).toEqual({ maxMessageSizeMb: 25, maxAiRepliesPerTicket: 3, maxAiRepliesPerAddress: 5, loopWindowMinutes: 60 });
    expect(changedFields).toEqual([
      'safety.loopWindowMinutes',
      'safety.maxAiRepliesPerAddress',
      'safety.maxAiRepliesPerTicket',
      'safety.maxMessageSizeMb',
    ]);
  });

  // An incomplete block never gets here: the request's own validation (ChannelSafetyDto) refuses it first.
  it('rejects out-of-range safety limits, naming each field', async () => {
    const outOfRange = await fieldErrorsOf(
      settingsFromPut(
        putBody({ safety: { maxMessageSizeMb: 0, maxAiRepliesPerTicket: 1.5, maxAiRepliesPerAddress: 1_001, loopWindowMinutes: 10_081 } }),
        null,
        box,
      ),
    );
    for (const field of ['maxMessageSizeMb', 'maxAiRepliesPerTicket', 'maxAiRepliesPerAddress', 'loopWindowMinutes']) {
      expect(outOfRange, field).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^safety\\.${field}: `))]));
    }
  });
});

describe('PATCH', () => {
  it('changes only the named fields, nested ones field by field, and keeps the passwords', async () => {
    const before = await stored({ guidelines: 'Be kind' });
    const { settings, changedFields } = await settingsFromPatch(patchBody({ imap: { port: 143, encryption: 'starttls' } }), before, box);
    expect(changedFields).toEqual(['imap.encryption', 'imap.port']);
    expect(settings.imap).toMatchObject({ host: 'imap.example.test', port: 143, encryption: 'starttls', username: 'support@example.test' });
    expect(settings.imap.password).toEqual(before.imap.password);
    expect(settings.guidelines).toBe('Be kind');
  });

  it('merges single safety limits into the stored ones and names an invalid one', async () => {
    const before = await stored({ safety: { maxMessageSizeMb: 10, maxAiRepliesPerTicket: 2, maxAiRepliesPerAddress: 4, loopWindowMinutes: 30 } });
    const { settings, changedFields } = await settingsFromPatch(patchBody({ safety: { maxAiRepliesPerAddress: 2 } }), before, box);
    expect(settings.safety).toEqual({ maxMessageSizeMb: 10, maxAiRepliesPerTicket: 2, maxAiRepliesPerAddress: 2, loopWindowMinutes: 30 });
    expect(changedFields).toEqual(['safety.maxAiRepliesPerAddress']);
    expect(settings.imap.password).toEqual(before.imap.password);

    const errors = await fieldErrorsOf(settingsFromPatch(patchBody({ safety: { maxAiRepliesPerTicket: 0 } }), before, box));
    expect(errors).toEqual([expect.stringMatching(/^safety\.maxAiRepliesPerTicket: /)]);
    const unchanged = await settingsFromPatch(patchBody({ safety: { loopWindowMinutes: 30 } }), before, box);
    expect(unchanged.changedFields).toEqual([]);
  });

  it('merges one bound of the delay with the stored other and rejects min > max naming responseDelay.maxSeconds', async () => {
    const before = await stored({ responseDelay: { minSeconds: 30, maxSeconds: 60 } });
    const widened = await settingsFromPatch(patchBody({ responseDelay: { maxSeconds: 600 } }), before, box);
    expect(widened.settings.responseDelay).toEqual({ minSeconds: 30, maxSeconds: 600 });
    const errors = await fieldErrorsOf(settingsFromPatch(patchBody({ responseDelay: { maxSeconds: 10 } }), before, box));
    expect(errors).toEqual([expect.stringMatching(/^responseDelay\.maxSeconds: /)]);
  });

  it('of a channel never configured is a 404 unless it brings complete imap, smtp and identity', async () => {
    await expect(settingsFromPatch(patchBody({ guidelines: 'x' }), null, box)).rejects.toBeInstanceOf(NotFoundException);
    const { imap, smtp } = putBody();
    await expect(settingsFromPatch(patchBody({ imap, smtp }), null, box)).rejects.toBeInstanceOf(NotFoundException);
    const { settings } = await settingsFromPatch(patchBody({ ...putBody(), responseDelay: { maxSeconds: 300 } }), null, box);
    expect(settings.imap.validateCertificate).toBe(true);
    expect(settings.responseDelay).toEqual({ minSeconds: 30, maxSeconds: 300 });
  });
});

describe('affectsConnection', () => {
  it('is true for connection settings and passwords, false for markAsRead, identity, guidelines, delay and safety', () => {
    expect(affectsConnection(['imap.password'])).toBe(true);
    expect(affectsConnection(['smtp.port'])).toBe(true);
    expect(affectsConnection(['imap.markAsRead', 'identity.fromName', 'guidelines', 'responseDelay.minSeconds', 'safety.maxMessageSizeMb'])).toBe(false);
  });
});
