import type { EmailChannelView } from '@ensoras/contracts';
import type { EmailChannelEntity } from './email-channel.entity.js';

/**
 * What the API shows of a channel. Built field by field, never by spreading the row, so a sealed password can
 * never slip into a response: in its place `passwordSet`.
 */
export function emailChannelView(channel: EmailChannelEntity): EmailChannelView {
  return {
    projectId: channel.projectId,
    enabled: channel.enabled,
    imap: {
      host: channel.imapHost,
      port: channel.imapPort,
      encryption: channel.imapEncryption,
      username: channel.imapUsername,
      validateCertificate: channel.imapValidateCertificate,
      markAsRead: channel.imapMarkAsRead,
      auth: channel.settings().imap.auth,
      passwordSet: channel.imapPasswordSealed !== '',
    },
    smtp: {
      host: channel.smtpHost,
      port: channel.smtpPort,
      encryption: channel.smtpEncryption,
      username: channel.smtpUsername,
      validateCertificate: channel.smtpValidateCertificate,
      auth: channel.settings().smtp.auth,
      passwordSet: channel.smtpPasswordSealed !== '',
    },
    identity: { fromEmail: channel.fromEmail, fromName: channel.fromName, signatureHtml: channel.signatureHtml },
    guidelines: channel.guidelines,
    responseDelay: { minSeconds: channel.responseDelayMinSeconds, maxSeconds: channel.responseDelayMaxSeconds },
    safety: channel.safety(),
    import: channel.settings().import,
    aiMode: channel.aiMode,
    handoff: { acknowledge: channel.handoffAcknowledge, text: channel.handoffText },
    sentFolder: { append: channel.sentFolderAppend },
    updatedAt: channel.updatedAt.toISOString(),
    lastConnectionTest: channel.lastConnectionTest,
    // Stored pauses are those of the current revision: every new revision clears them (ProjectChanges.apply).
    paused: { imap: channel.imapPause ?? null, smtp: channel.smtpPause ?? null },
  };
}
