import type { EmailChannelView } from '@ensoras/contracts';
import { describe, expect, it } from 'vitest';
import { channelFormFromView, channelSave, isDirty, newChannelForm, withGmailPreset, withProviderPreset } from './channel-form.ts';

const saved: EmailChannelView = {
  projectId: 'acme',
  enabled: false,
  imap: { host: 'imap.acme.test', port: 993, encryption: 'ssl', username: 'support@acme.test', validateCertificate: true, markAsRead: false, passwordSet: true },
  smtp: { host: 'smtp.acme.test', port: 587, encryption: 'tls', username: 'support@acme.test', validateCertificate: true, passwordSet: true },
  identity: { fromEmail: 'support@acme.test', fromName: 'Acme', signatureHtml: '<p>Acme</p>' },
  guidelines: 'Be kind.',
  responseDelay: { minSeconds: 30, maxSeconds: 120 },
  safety: { maxMessageSizeMb: 25, maxAiRepliesPerTicket: 3, maxAiRepliesPerAddress: 5, loopWindowMinutes: 60 },
  import: { since: '2026-11-19T00:00:00.000Z' },
  aiMode: 'draft',
  handoff: { acknowledge: true, text: 'A colleague will answer.' },
  sentFolder: { append: false },
  updatedAt: '2026-12-01T10:00:00.000Z',
};

describe('channel form', () => {
  it('shows a saved channel without its passwords and with the import day', () => {
    const form = channelFormFromView(saved);
    expect(form.imap).toEqual({
      signIn: 'password',
      host: 'imap.acme.test',
      port: 993,
      encryption: 'ssl',
      username: 'support@acme.test',
      password: '',
      validateCertificate: true,
      markAsRead: false,
    });
    expect(form.smtp.password).toBe('');
    expect(form.import).toEqual({ since: '2026-11-19', all: false });
    // maxAiRepliesPerHour absent from the view: the default stays in the form.
    expect(form.safety.maxAiRepliesPerHour).toBe(300);
    expect(channelFormFromView({ ...saved, import: { since: null } }).import).toEqual({ since: '', all: true });
    expect(form.sentFolder).toEqual({ append: false });
    // A view from a channel-config before the setting existed: the API's default.
    const older = { ...saved, sentFolder: undefined } as unknown as EmailChannelView;
    expect(channelFormFromView(older).sentFolder).toEqual({ append: true });
  });

  it('PATCHes a saved channel, leaving out empty passwords (the saved ones stay) and an unchanged import', () => {
    const initial = channelFormFromView(saved);
    const { method, body } = channelSave(initial, saved, initial);
    expect(method).toBe('PATCH');
    expect(body.imap).not.toHaveProperty('password');
    expect(body.smtp).not.toHaveProperty('password');
    expect(body).not.toHaveProperty('import');
    expect(body.aiMode).toBe('draft');
    expect(body.sentFolder).toEqual({ append: false });
    expect(body.safety).toEqual({ maxMessageSizeMb: 25, maxAiRepliesPerTicket: 3, maxAiRepliesPerAddress: 5, loopWindowMinutes: 60, maxAiRepliesPerHour: 300 });
  });

  it('sends a typed password, empty numbers as null (the API names them), and a changed import', () => {
    const initial = channelFormFromView(saved);
    const form = structuredClone(initial);
    form.imap.password = 'app password';
    form.imap.port = '';
    form.import = { since: '', all: true };
    const { body } = channelSave(form, saved, initial);
    expect(body.imap?.password).toBe('app password');
    expect(body.imap?.port).toBeNull();
    expect(body.import).toEqual({ since: null });
    form.import = { since: '2026-10-01', all: false };
    expect(channelSave(form, saved, initial).body.import).toEqual({ since: '2026-10-01' });
  });

  it('PUTs a new channel, leaving the import out while empty (the API default)', () => {
    const initial = newChannelForm();
    const form = structuredClone(initial);
    form.imap.password = 'secret';
    const save = channelSave(form, null, initial);
    expect(save.method).toBe('PUT');
    expect(save.body).not.toHaveProperty('import');
    expect(save.body.imap?.password).toBe('secret');
    expect(save.body.smtp).not.toHaveProperty('password');
    form.import.since = '2026-11-01';
    expect(channelSave(form, null, initial).body.import).toEqual({ since: '2026-11-01' });
  });

  it('fills the spec Gmail values and nothing else', () => {
    const form = withGmailPreset({ ...newChannelForm(), identity: { fromEmail: 'me@gmail.com', fromName: 'Me', signatureHtml: '' } });
    expect(form.imap).toMatchObject({ host: 'imap.gmail.com', port: 993, encryption: 'ssl', validateCertificate: true });
    expect(form.smtp).toMatchObject({ host: 'smtp.gmail.com', port: 587, encryption: 'tls', validateCertificate: true });
    expect(form.identity.fromEmail).toBe('me@gmail.com');
    expect(isDirty(form, newChannelForm())).toBe(true);
    expect(isDirty(newChannelForm(), newChannelForm())).toBe(false);
  });

  it("fills a provider's servers on both sides and keeps usernames, passwords and the rest", () => {
    const typed = { ...newChannelForm(), imap: { ...newChannelForm().imap, username: 'me@icloud.com', password: 'pw', validateCertificate: false } };
    const form = withProviderPreset(typed, {
      imap: { host: 'imap.mail.me.com', port: 993, encryption: 'ssl' },
      smtp: { host: 'smtp.mail.me.com', port: 587, encryption: 'tls' },
    });
    expect(form.imap).toMatchObject({ host: 'imap.mail.me.com', port: 993, encryption: 'ssl', username: 'me@icloud.com', password: 'pw', validateCertificate: true });
    expect(form.smtp).toMatchObject({ host: 'smtp.mail.me.com', port: 587, encryption: 'tls', validateCertificate: true });
    expect(form.identity).toEqual(typed.identity);
  });

  it('signs a direction in with OAuth2: sends its provider and never a password, and reads it back', () => {
    const initial = channelFormFromView(saved);
    const form = structuredClone(initial);
    form.smtp.signIn = 'microsoft';
    form.smtp.password = 'typed before switching';
    const { body } = channelSave(form, saved, initial);
    expect(body.smtp?.auth).toEqual({ type: 'oauth2', provider: 'microsoft' });
    expect(body.smtp).not.toHaveProperty('password');
    expect(body.imap?.auth).toEqual({ type: 'password' });
    const connected = { ...saved, smtp: { ...saved.smtp!, passwordSet: false, auth: { type: 'oauth2' as const, provider: 'microsoft' as const } } };
    expect(channelFormFromView(connected).smtp.signIn).toBe('microsoft');
  });
});
