import { describe, expect, it } from 'vitest';
import { providerFilesSentMail, providerFilingSentMail } from './provider-sent-mail.js';

describe('whether the provider files SMTP-submitted mail in Sent itself', () => {
  it('is true for Gmail and Google Workspace submission, in any spelling of the host', () => {
    for (const host of ['smtp.gmail.com', 'SMTP.Gmail.com', ' smtp.gmail.com ', 'smtp.gmail.com.', 'smtp.googlemail.com']) {
      expect(providerFilesSentMail(host), host).toBe(true);
    }
    expect(providerFilingSentMail('smtp.gmail.com')).toBe('Gmail / Google Workspace');
  });

  it('is true for Microsoft 365 and Outlook.com client submission (SMTP AUTH)', () => {
    for (const host of ['smtp.office365.com', 'smtp.office365.us', 'smtp-mail.outlook.com']) {
      expect(providerFilesSentMail(host), host).toBe(true);
    }
    expect(providerFilingSentMail('smtp.office365.com')).toBe('Microsoft 365 / Outlook.com');
  });

  it('is false for relays with no mailbox behind them, which file nothing', () => {
    expect(providerFilesSentMail('smtp-relay.gmail.com')).toBe(false);
    expect(providerFilesSentMail('contoso-com.mail.protection.outlook.com')).toBe(false);
  });

  it('is false for other providers and self-hosted servers, and for look-alike hosts', () => {
    for (const host of ['smtp.mail.yahoo.com', 'smtp.mail.me.com', 'smtp.zoho.eu', 'smtp.fastmail.com', 'mail.shop.example', '127.0.0.1', 'smtp.gmail.com.evil.example', 'notsmtp.gmail.com', '']) {
      expect(providerFilesSentMail(host), host).toBe(false);
    }
  });
});
