import { describe, expect, it } from 'vitest';
import { EMAIL_PROVIDER_PRESETS, presetForHost, providerFilingSentMail, providerLoginHint } from './provider-presets.js';

describe('provider presets', () => {
  it('covers the providers admins connect most, each with a help page of its own', () => {
    expect(EMAIL_PROVIDER_PRESETS.map(({ id }) => id)).toEqual([
      'gmail',
      'google-workspace',
      'microsoft-365',
      'outlook-com',
      'yahoo',
      'icloud',
      'zoho',
      'fastmail',
    ]);
    for (const preset of EMAIL_PROVIDER_PRESETS) {
      expect(preset.helpUrl).toMatch(/^https:\/\//);
      expect(new Set(EMAIL_PROVIDER_PRESETS.map(({ helpUrl }) => helpUrl)).size).toBe(EMAIL_PROVIDER_PRESETS.length);
    }
  });

  it('pairs every port with the encryption it speaks', () => {
    for (const { imap, smtp } of EMAIL_PROVIDER_PRESETS) {
      expect(imap).toMatchObject({ port: 993, encryption: 'ssl' });
      expect([`${smtp.port}/${smtp.encryption}`]).toContainEqual(expect.stringMatching(/^(465\/ssl|587\/tls)$/));
    }
  });

  it('knows each preset by its own hosts', () => {
    for (const preset of EMAIL_PROVIDER_PRESETS) {
      expect(presetForHost(preset.imap.host)?.oauthProvider).toBe(preset.oauthProvider);
      expect(presetForHost(preset.smtp.host)?.oauthProvider).toBe(preset.oauthProvider);
    }
  });

  it('knows regional and business host names, in any case, and nothing that merely ends like them', () => {
    expect(presetForHost('SMTPpro.zoho.EU.')?.id).toBe('zoho');
    expect(presetForHost('imap.googlemail.com')?.id).toBe('gmail');
    expect(presetForHost('mail.example.com')).toBeNull();
    expect(presetForHost('imap.gmail.com.attacker.example')).toBeNull();
    expect(presetForHost('evilimap.gmail.com')).toBeNull();
  });

  it('gives no provider hint for servers it does not know', () => {
    expect(providerLoginHint('mail.example.com')).toBeNull();
    expect(providerLoginHint('smtp.fastmail.com')).toContain('app password');
  });

  it('names Gmail and Google Workspace as filing what their SMTP server sends in Sent, in any spelling of the host', () => {
    for (const host of ['smtp.gmail.com', 'SMTP.Gmail.com', ' smtp.gmail.com ', 'smtp.gmail.com.', 'smtp.googlemail.com']) {
      expect(providerFilingSentMail(host), host).toBe('Gmail / Google Workspace');
    }
  });

  it('names Microsoft 365 and Outlook.com client submission (SMTP AUTH) too', () => {
    for (const host of ['smtp.office365.com', 'smtp.office365.us', 'smtp-mail.outlook.com']) {
      expect(providerFilingSentMail(host), host).toBe('Microsoft 365 / Outlook.com');
    }
  });

  it('names no provider for relays with no mailbox behind them, other providers, self-hosted servers and look-alikes', () => {
    for (const host of [
      'smtp-relay.gmail.com',
      'contoso-com.mail.protection.outlook.com',
      'smtp.mail.yahoo.com',
      'smtp.mail.me.com',
      'smtp.zoho.eu',
      'smtp.fastmail.com',
      'mail.shop.example',
      '127.0.0.1',
      'smtp.gmail.com.evil.example',
      'notsmtp.gmail.com',
      '',
    ]) {
      expect(providerFilingSentMail(host), host).toBeNull();
    }
  });
});
