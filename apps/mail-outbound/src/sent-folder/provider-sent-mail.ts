/**
 * SMTP submission hosts whose provider files every mail submitted through them in the mailbox's Sent folder itself.
 * Appending our copy there as well would show each reply twice.
 * - Gmail and Google Workspace (smtp.gmail.com): Google's IMAP help tells mail clients not to save sent mail, as
 *   its SMTP server puts it in "[Gmail]/Sent Mail". smtp-relay.gmail.com (the Workspace relay service) does not: it
 *   relays for a domain, with no mailbox behind it, so it is not listed.
 * - Microsoft 365 (smtp.office365.com; smtp.office365.us in GCC High) and Outlook.com (smtp-mail.outlook.com, the
 *   same Exchange Online service): Microsoft's comparison of client SMTP submission, SMTP relay and Direct Send says
 *   "Saves to Sent Items folder: Yes" for client submission (SMTP AUTH) only; relay and Direct Send
 *   (*.mail.protection.outlook.com) do not, so those are not listed.
 * Everyone else (Yahoo, iCloud, Zoho, Fastmail, self-hosted servers) expects the client to append, as mail clients do.
 */
const FILING_PROVIDERS: ReadonlyArray<{ provider: string; hosts: readonly string[] }> = [
  { provider: 'Gmail / Google Workspace', hosts: ['smtp.gmail.com', 'smtp.googlemail.com'] },
  { provider: 'Microsoft 365 / Outlook.com', hosts: ['smtp.office365.com', 'smtp.office365.us', 'smtp-mail.outlook.com'] },
];

/** The provider that files mail sent through `smtpHost` in Sent by itself, or null when we should append it. */
export function providerFilingSentMail(smtpHost: string): string | null {
  const host = smtpHost.trim().toLowerCase().replace(/\.$/, '');
  return FILING_PROVIDERS.find((entry) => entry.hosts.includes(host))?.provider ?? null;
}

/** Whether the provider of `smtpHost` files SMTP-submitted mail in Sent itself. */
export function providerFilesSentMail(smtpHost: string): boolean {
  return providerFilingSentMail(smtpHost) !== null;
}
