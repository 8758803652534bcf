import { randomBytes } from 'node:crypto';
import { NotFoundException } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { describe, expect, it } from 'vitest';
import { DEFAULT_HANDOFF_TEXT, MAX_HANDOFF_TEXT_LENGTH, PatchEmailChannelDto, PutEmailChannelDto } from '@ensoras/contracts';
import { channelPasswordContext, SecretBox } from '@ensoras/secrets';
import type { EmailChannelSettings } from './email-channel-settings.js';
import { affectsConnection, InvalidChannelSettings, settingsFromPatch, settingsFromPut } from './settings-merge.js';

const box = new SecretBox(randomBytes(32));
const sealing = { projectId: 'acme', box };
const opened = (settings: EmailChannelSettings, section: 'imap' | 'smtp') =>
  box.open(settings[section].password, channelPasswordContext('acme', section, settings[section]));

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
  return (await settingsFromPut(putBody(overrides), null, sealing)).settings;
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
    const { settings, changedFields } = await settingsFromPut(putBody(), null, sealing);
    expect(settings.imap).toMatchObject({ validateCertificate: true, markAsRead: false });
    expect(settings.smtp.validateCertificate).toBe(true);
    expect(settings.identity.signatureHtml).toBe('');
    expect(settings.guidelines).toBe('');
    expect(settings.responseDelay).toEqual({ minSeconds: 30, maxSeconds: 120 });
    expect(settings.safety).toEqual({ maxMessageSizeMb: 25, maxAiRepliesPerTicket: 3, maxAiRepliesPerAddress: 5, loopWindowMinutes: 60, maxAiRepliesPerHour: 300 });
    expect(JSON.stringify(settings)).not.toContain('imap-secret');
    expect(opened(settings, 'imap')).toBe('imap-secret');
    expect(opened(settings, 'smtp')).toBe('smtp-secret');
    expect(changedFields).toEqual(
      expect.arrayContaining(['imap.host', 'imap.password', 'smtp.password', 'responseDelay.minSeconds', 'safety.loopWindowMinutes']),
    );
  });

  it('without a password and none stored is a 400 naming imap.password and smtp.password', async () => {
    const body = putBody();
    delete body.imap.password;
    delete body.smtp.password;
    const errors = await fieldErrorsOf(settingsFromPut(body, null, sealing));
    expect(errors).toEqual([expect.stringMatching(/^imap\.password: /), expect.stringMatching(/^smtp\.password: /)]);
  });

  it('without a password keeps the stored one, and resets optional settings it leaves out to their defaults', async () => {
    const before = await stored({ guidelines: 'Be brief', responseDelay: { minSeconds: 0, maxSeconds: 5 } });
    const body = putBody({ imap: { host: 'imap.example.test', port: 993, encryption: 'ssl', username: 'support@example.test', markAsRead: true } });
    delete body.smtp.password;
    const { settings, changedFields } = await settingsFromPut(body, before, sealing);
    expect(settings.imap.password).toEqual(before.imap.password);
    expect(settings.smtp.password).toEqual(before.smtp.password);
    expect(settings.imap.markAsRead).toBe(true);
    expect(settings.guidelines).toBe('');
    expect(settings.responseDelay).toEqual({ minSeconds: 30, maxSeconds: 120 });
    expect(changedFields).toEqual(['guidelines', 'imap.markAsRead', 'responseDelay.maxSeconds', 'responseDelay.minSeconds']);
  });

  it('of the same settings again changes nothing, the same password included', async () => {
    const before = await stored();
    const { settings, changedFields } = await settingsFromPut(putBody(), before, sealing);
    expect(changedFields).toEqual([]);
    expect(settings.imap.password).toEqual(before.imap.password);
  });

  it('over a stored channel, with another host but no password, is a 400 naming the password, for SMTP too', async () => {
    const before = await stored();
    const body = putBody({ smtp: { host: 'evil.example', port: 587, encryption: 'tls', username: 'support@example.test' } });
    delete body.imap.password;
    const errors = await fieldErrorsOf(settingsFromPut(body, before, sealing));
    expect(errors).toEqual([expect.stringMatching(/^smtp\.password: smtp\.password is required when smtp\.host changes/)]);
  });

  it('switching certificate validation off needs the password; switching it on does not', async () => {
    const before = await stored();
    const errors = await fieldErrorsOf(settingsFromPatch(patchBody({ imap: { validateCertificate: false } }), before, sealing));
    expect(errors).toEqual([expect.stringMatching(/^imap\.password: imap\.password is required when imap\.validateCertificate changes/)]);
    const withPassword = await settingsFromPatch(patchBody({ imap: { validateCertificate: false, password: 'imap-secret' } }), before, sealing);
    expect(withPassword.settings.imap.validateCertificate).toBe(false);
    const backOn = await settingsFromPatch(patchBody({ imap: { validateCertificate: true } }), withPassword.settings, sealing);
    expect(backOn.settings.imap.validateCertificate).toBe(true);
  });

  it('cleans the signature like received HTML, and sending the same signature again is no change', async () => {
    const signature = '<p onclick="steal()">Regards<script>alert(1)</script> <img src="https://tracker.example/p.gif" width="1" height="1"><a href="javascript:alert(1)">x</a></p>';
    const { settings } = await settingsFromPut(putBody({ identity: { fromEmail: 'support@example.test', fromName: 'Support', signatureHtml: signature } }), null, sealing);
    expect(settings.identity.signatureHtml).toContain('Regards');
    expect(settings.identity.signatureHtml).not.toMatch(/onclick|script|javascript:|tracker\.example/);
    const again = await settingsFromPatch(patchBody({ identity: { signatureHtml: signature } }), settings, sealing);
    expect(again.changedFields).toEqual([]);
  });

  it('with a new password reports it changed by name only', async () => {
    const before = await stored();
    const body = putBody();
    body.imap.password = 'rotated';
    const { settings, changedFields } = await settingsFromPut(body, before, sealing);
    expect(changedFields).toEqual(['imap.password']);
    expect(opened(settings, 'imap')).toBe('rotated');
  });

  it('takes a complete safety block as given, and a later PUT without one resets it to the defaults', async () => {
    const safety = { maxMessageSizeMb: 10, maxAiRepliesPerTicket: 1, maxAiRepliesPerAddress: 2, loopWindowMinutes: 15, maxAiRepliesPerHour: 40 };
    const before = await stored({ safety });
    expect(before.safety).toEqual(safety);
    const { settings, changedFields } = await settingsFromPut(putBody(), before, sealing);
    expect(settings.safety).toEqual({ maxMessageSizeMb: 25, maxAiRepliesPerTicket: 3, maxAiRepliesPerAddress: 5, loopWindowMinutes: 60, maxAiRepliesPerHour: 300 });
    expect(changedFields).toEqual([
      'safety.loopWindowMinutes',
      'safety.maxAiRepliesPerAddress',
      'safety.maxAiRepliesPerHour',
      'safety.maxAiRepliesPerTicket',
      'safety.maxMessageSizeMb',
    ]);

    // Before the hourly cap existed a safety block had four limits; the fifth then takes its default.
    const { maxAiRepliesPerHour: _cap, ...fourLimits } = safety;
    expect((await stored({ safety: fourLimits })).safety.maxAiRepliesPerHour).toBe(300);
  });

  // An incomplete block never gets here: the request's own validation (ChannelSafetyDto) refuses it first.
  it('rejects out-of-range safety limits, naming each field', async () => {
    const outOfRange = await fieldErrorsOf(
      settingsFromPut(
        putBody({ safety: { maxMessageSizeMb: 0, maxAiRepliesPerTicket: 1.5, maxAiRepliesPerAddress: 1_001, loopWindowMinutes: 10_081 } }),
        null,
        sealing,
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
    const { settings, changedFields } = await settingsFromPatch(
      patchBody({ imap: { markAsRead: true }, identity: { fromName: 'Care' } }),
      before,
      sealing,
    );
    expect(changedFields).toEqual(['identity.fromName', 'imap.markAsRead']);
    expect(settings.imap).toMatchObject({ host: 'imap.example.test', port: 993, markAsRead: true, validateCertificate: true });
    expect(settings.imap.password).toEqual(before.imap.password);
    expect(settings.smtp.password).toEqual(before.smtp.password);
    expect(settings.guidelines).toBe('Be kind');
  });

  it.each([
    ['imap', { host: 'evil.example' }],
    ['imap', { port: 143 }],
    ['imap', { encryption: 'tcp' }],
    ['imap', { username: 'someone@evil.example' }],
    ['smtp', { host: 'evil.example' }],
    ['smtp', { port: 25 }],
    ['smtp', { encryption: 'none' }],
    ['smtp', { username: 'someone@evil.example' }],
  ])('moving %s to %o without the password is a 400 naming the password', async (section, change) => {
    const before = await stored();
    const errors = await fieldErrorsOf(settingsFromPatch(patchBody({ [section]: change }), before, sealing));
    const [field] = Object.keys(change);
    expect(errors).toEqual([expect.stringMatching(new RegExp(`^${section}\\.password: .*${section}\\.${field}`))]);
  });

  it('moving the connection with the password seals it for the new settings only; the same value is not a password change', async () => {
    const before = await stored();
    const { settings, changedFields } = await settingsFromPatch(
      patchBody({ imap: { host: 'imap2.example.test', port: 143, encryption: 'starttls', password: 'imap-secret' } }),
      before,
      sealing,
    );
    expect(changedFields).toEqual(['imap.encryption', 'imap.host', 'imap.port']);
    expect(opened(settings, 'imap')).toBe('imap-secret');
    expect(() => box.open(settings.imap.password, channelPasswordContext('acme', 'imap', before.imap))).toThrow();
    expect(settings.smtp.password).toEqual(before.smtp.password);

    const renamed = await settingsFromPatch(patchBody({ smtp: { username: 'other@example.test', password: 'new-smtp' } }), before, sealing);
    expect(renamed.changedFields).toEqual(['smtp.password', 'smtp.username']);
    expect(opened(renamed.settings, 'smtp')).toBe('new-smtp');
  });

  it('naming the stored connection values again needs no password', async () => {
    const before = await stored();
    const { changedFields, settings } = await settingsFromPatch(
      patchBody({ imap: { host: 'imap.example.test', port: 993, encryption: 'ssl', username: 'support@example.test' } }),
      before,
      sealing,
    );
    expect(changedFields).toEqual([]);
    expect(settings.imap.password).toEqual(before.imap.password);
  });

  it('merges single safety limits into the stored ones and names an invalid one', async () => {
    const before = await stored({ safety: { maxMessageSizeMb: 10, maxAiRepliesPerTicket: 2, maxAiRepliesPerAddress: 4, loopWindowMinutes: 30 } });
    const { settings, changedFields } = await settingsFromPatch(patchBody({ safety: { maxAiRepliesPerAddress: 2 } }), before, sealing);
    expect(settings.safety).toEqual({ maxMessageSizeMb: 10, maxAiRepliesPerTicket: 2, maxAiRepliesPerAddress: 2, loopWindowMinutes: 30, maxAiRepliesPerHour: 300 });
    expect(changedFields).toEqual(['safety.maxAiRepliesPerAddress']);
    expect(settings.imap.password).toEqual(before.imap.password);

    const errors = await fieldErrorsOf(settingsFromPatch(patchBody({ safety: { maxAiRepliesPerTicket: 0 } }), before, sealing));
    expect(errors).toEqual([expect.stringMatching(/^safety\.maxAiRepliesPerTicket: /)]);
    const unchanged = await settingsFromPatch(patchBody({ safety: { loopWindowMinutes: 30 } }), before, sealing);
    expect(unchanged.changedFields).toEqual([]);
  });

  it('merges one bound of the delay with the stored other and rejects min > max naming responseDelay.maxSeconds', async () => {
    const before = await stored({ responseDelay: { minSeconds: 30, maxSeconds: 60 } });
    const widened = await settingsFromPatch(patchBody({ responseDelay: { maxSeconds: 600 } }), before, sealing);
    expect(widened.settings.responseDelay).toEqual({ minSeconds: 30, maxSeconds: 600 });
    const errors = await fieldErrorsOf(settingsFromPatch(patchBody({ responseDelay: { maxSeconds: 10 } }), before, sealing));
    expect(errors).toEqual([expect.stringMatching(/^responseDelay\.maxSeconds: /)]);
  });

  it('of a channel never configured is a 404 unless it brings complete imap, smtp and identity', async () => {
    await expect(settingsFromPatch(patchBody({ guidelines: 'x' }), null, sealing)).rejects.toBeInstanceOf(NotFoundException);
    const { imap, smtp } = putBody();
    await expect(settingsFromPatch(patchBody({ imap, smtp }), null, sealing)).rejects.toBeInstanceOf(NotFoundException);
    const { settings } = await settingsFromPatch(patchBody({ ...putBody(), responseDelay: { maxSeconds: 300 } }), null, sealing);
    expect(settings.imap.validateCertificate).toBe(true);
    expect(settings.responseDelay).toEqual({ minSeconds: 30, maxSeconds: 300 });
  });
});

describe('history import (import.since)', () => {
  const now = new Date('2026-12-01T23:40:00Z');

  it('a new channel imports the last 14 days; a date and null (everything) are taken as sent, in one spelling', async () => {
    expect((await settingsFromPut(putBody(), null, sealing, now)).settings.import).toEqual({ since: '2026-11-17T00:00:00.000Z' });
    const dated = await settingsFromPut(putBody({ import: { since: '2024-01-31' } }), null, sealing, now);
    expect(dated.settings.import).toEqual({ since: '2024-01-31T00:00:00.000Z' });
    expect(dated.changedFields).toContain('import.since');
    expect((await settingsFromPut(putBody({ import: { since: null } }), null, sealing, now)).settings.import).toEqual({ since: null });
  });

  it('a PUT without it keeps the stored choice, and sending the same date again is no change', async () => {
    const before = await stored({ import: { since: null } });
    const again = await settingsFromPut(putBody(), before, sealing, new Date('2027-06-01T00:00:00Z'));
    expect(again.settings.import).toEqual({ since: null });
    expect(again.changedFields).not.toContain('import.since');
    const dated = await stored({ import: { since: '2025-05-05T00:00:00Z' } });
    const same = await settingsFromPatch(patchBody({ import: { since: '2025-05-05' } }), dated, sealing);
    expect(same.changedFields).toEqual([]);
  });

  it('names import.since when it is not a date, or missing from import', async () => {
    for (const since of ['last week', '2026-13-01', 20260101, '']) {
      const errors = await fieldErrorsOf(settingsFromPatch(patchBody({ import: { since } }), await stored(), sealing));
      expect(errors).toEqual([expect.stringMatching(/^import\.since: import\.since must be an ISO 8601 date/)]);
    }
    const errors = await fieldErrorsOf(settingsFromPut(putBody({ import: {} }), null, sealing));
    expect(errors).toEqual([expect.stringMatching(/^import\.since: /)]);
  });
});

describe('AI mode (aiMode) and handoff acknowledgement (handoff)', () => {
  it('a new channel answers (auto) and acknowledges no handoff, with the default text ready; all three are new fields', async () => {
    const { settings, changedFields } = await settingsFromPut(putBody(), null, sealing);
    expect(settings.aiMode).toBe('auto');
    expect(settings.handoff).toEqual({ acknowledge: false, text: DEFAULT_HANDOFF_TEXT });
    expect(changedFields).toEqual(expect.arrayContaining(['aiMode', 'handoff.acknowledge', 'handoff.text']));
  });

  it('a PUT takes them as sent, and a later PUT without them resets them to the defaults like any optional setting', async () => {
    const before = await stored({ aiMode: 'draft', handoff: { acknowledge: true, text: 'Thanks! A colleague will answer you today.' } });
    expect(before.aiMode).toBe('draft');
    expect(before.handoff).toEqual({ acknowledge: true, text: 'Thanks! A colleague will answer you today.' });
    const again = await settingsFromPut(putBody({ aiMode: 'draft', handoff: before.handoff }), before, sealing);
    expect(again.changedFields).toEqual([]);
    const reset = await settingsFromPut(putBody(), before, sealing);
    expect(reset.settings.aiMode).toBe('auto');
    expect(reset.settings.handoff).toEqual({ acknowledge: false, text: DEFAULT_HANDOFF_TEXT });
    expect(reset.changedFields).toEqual(['aiMode', 'handoff.acknowledge', 'handoff.text']);
  });

  it('a PATCH of aiMode changes only it, and off or draft are stored like auto', async () => {
    const before = await stored({ guidelines: 'Be kind' });
    for (const aiMode of ['off', 'draft', 'auto'] as const) {
      const { settings, changedFields } = await settingsFromPatch(patchBody({ aiMode }), before, sealing);
      expect(settings.aiMode).toBe(aiMode);
      expect(changedFields).toEqual(aiMode === 'auto' ? [] : ['aiMode']);
      expect({ ...settings, aiMode: before.aiMode }).toEqual(before);
    }
  });

  it('a PATCH merges the handoff field by field: text alone keeps acknowledge, acknowledge alone keeps the text', async () => {
    const before = await stored({ handoff: { acknowledge: true, text: 'We got your message.' } });
    const text = await settingsFromPatch(patchBody({ handoff: { text: 'A person will answer within a day.' } }), before, sealing);
    expect(text.settings.handoff).toEqual({ acknowledge: true, text: 'A person will answer within a day.' });
    expect(text.changedFields).toEqual(['handoff.text']);
    const off = await settingsFromPatch(patchBody({ handoff: { acknowledge: false } }), text.settings, sealing);
    expect(off.settings.handoff).toEqual({ acknowledge: false, text: 'A person will answer within a day.' });
    expect(off.changedFields).toEqual(['handoff.acknowledge']);
    // null counts as left out, as for guidelines; a handoff block that is null keeps the stored one.
    expect((await settingsFromPatch(patchBody({ aiMode: null, handoff: null }), off.settings, sealing)).changedFields).toEqual([]);
  });

  it('names aiMode, handoff.acknowledge and handoff.text when they are invalid, once merged', async () => {
    const before = await stored();
    const cases: Array<[string, Record<string, unknown>]> = [
      ['aiMode', { aiMode: 'sometimes' }],
      ['handoff.acknowledge', { handoff: { acknowledge: 'yes' } }],
      ['handoff.acknowledge', { handoff: { acknowledge: null } }],
      ['handoff.text', { handoff: { text: null } }],
      ['handoff.text', { handoff: { text: '' } }],
      ['handoff.text', { handoff: { text: '<p>Thanks</p>' } }],
      ['handoff.text', { handoff: { text: 'x'.repeat(MAX_HANDOFF_TEXT_LENGTH + 1) } }],
      ['handoff.text', { handoff: { text: 'Thanks\u0007' } }],
    ];
    for (const [field, body] of cases) {
      const errors = await fieldErrorsOf(settingsFromPatch(patchBody(body), before, sealing));
      expect(errors.length, JSON.stringify(body)).toBeGreaterThan(0);
      for (const error of errors) expect(error, JSON.stringify(body)).toMatch(new RegExp(`^${field.replace('.', '\\.')}: ${field.replace('.', '\\.')} `));
    }
    const html = await fieldErrorsOf(settingsFromPatch(patchBody({ handoff: { text: 'Thanks<br>' } }), before, sealing));
    expect(html).toEqual(['handoff.text: handoff.text must be plain text, without HTML tags']);
    const mode = await fieldErrorsOf(settingsFromPut(putBody({ aiMode: 'manual' }), before, sealing));
    expect(mode).toEqual(['aiMode: aiMode must be one of the following values: auto, draft, off']);
  });

  it('takes a text of exactly 2,000 characters, with line breaks', async () => {
    const text = `Hello,\n\n${'x'.repeat(MAX_HANDOFF_TEXT_LENGTH - 8)}`;
    expect(text).toHaveLength(MAX_HANDOFF_TEXT_LENGTH);
    const { settings } = await settingsFromPatch(patchBody({ handoff: { acknowledge: true, text } }), await stored(), sealing);
    expect(settings.handoff).toEqual({ acknowledge: true, text });
  });

  it('a first configuration by PATCH gets the defaults for what it leaves out of the handoff', async () => {
    const { settings } = await settingsFromPatch(patchBody({ ...putBody(), handoff: { acknowledge: true } }), null, sealing);
    expect(settings.handoff).toEqual({ acknowledge: true, text: DEFAULT_HANDOFF_TEXT });
    expect(settings.aiMode).toBe('auto');
  });
});

describe('Sent folder (sentFolder)', () => {
  it('a new channel appends replies to Sent; a PUT takes false and a later PUT without it resets it to true', async () => {
    const fresh = await settingsFromPut(putBody(), null, sealing);
    expect(fresh.settings.sentFolder).toEqual({ append: true });
    expect(fresh.changedFields).toContain('sentFolder.append');
    const off = await settingsFromPut(putBody({ sentFolder: { append: false } }), fresh.settings, sealing);
    expect(off.settings.sentFolder).toEqual({ append: false });
    expect(off.changedFields).toEqual(['sentFolder.append']);
    const reset = await settingsFromPut(putBody(), off.settings, sealing);
    expect(reset.settings.sentFolder).toEqual({ append: true });
    expect(reset.changedFields).toEqual(['sentFolder.append']);
  });

  it('a PATCH changes it alone, and a PATCH without it keeps the stored choice', async () => {
    const before = await stored({ sentFolder: { append: false } });
    const other = await settingsFromPatch(patchBody({ guidelines: 'Be brief.' }), before, sealing);
    expect(other.settings.sentFolder).toEqual({ append: false });
    const on = await settingsFromPatch(patchBody({ sentFolder: { append: true } }), before, sealing);
    expect(on.settings.sentFolder).toEqual({ append: true });
    expect(on.changedFields).toEqual(['sentFolder.append']);
    expect(affectsConnection(on.changedFields)).toBe(false);
  });

  it('names sentFolder.append when it is not a boolean once merged', async () => {
    const before = await stored();
    expect(await fieldErrorsOf(settingsFromPatch(patchBody({ sentFolder: { append: null } }), before, sealing))).toEqual([
      'sentFolder.append: sentFolder.append must be a boolean value',
    ]);
  });
});

describe('affectsConnection', () => {
  it('is true for connection settings and passwords, false for markAsRead, identity, guidelines, delay, safety, AI mode and handoff', () => {
    expect(affectsConnection(['imap.password'])).toBe(true);
    expect(affectsConnection(['smtp.port'])).toBe(true);
    expect(affectsConnection(['imap.markAsRead', 'identity.fromName', 'guidelines', 'responseDelay.minSeconds', 'safety.maxMessageSizeMb'])).toBe(false);
    expect(affectsConnection(['aiMode', 'handoff.acknowledge', 'handoff.text'])).toBe(false);
  });
});
