import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import {
  DEFAULT_CHANNEL_SAFETY,
  type AiMode,
  type ChannelSafety,
  type ConnectionTestSummary,
  type DirectionPause,
  type ImapEncryption,
  type MailAuth,
  type OAuthProvider,
  type SmtpEncryption,
} from '@ensoras/contracts';
import type { EmailChannelSettings } from './email-channel-settings.js';

/** One project's email channel. Passwords are stored only as SecretBox-sealed strings. */
@Entity({ name: 'email_channel' })
export class EmailChannelEntity {
  @PrimaryColumn({ name: 'project_id', type: 'text' }) projectId!: string;
  @Column({ type: 'boolean', default: false }) enabled!: boolean;

  @Column({ name: 'imap_host', type: 'text' }) imapHost!: string;
  @Column({ name: 'imap_port', type: 'int' }) imapPort!: number;
  @Column({ name: 'imap_encryption', type: 'text' }) imapEncryption!: ImapEncryption;
  @Column({ name: 'imap_username', type: 'text' }) imapUsername!: string;
  @Column({ name: 'imap_password_sealed', type: 'text' }) imapPasswordSealed!: string;
  @Column({ name: 'imap_validate_certificate', type: 'boolean' }) imapValidateCertificate!: boolean;
  @Column({ name: 'imap_mark_as_read', type: 'boolean' }) imapMarkAsRead!: boolean;
  /** Null: IMAP logs in with the password; otherwise with an access token of the project's grant with this provider. */
  @Column({ name: 'imap_oauth_provider', type: 'text', nullable: true }) imapOAuthProvider!: OAuthProvider | null;

  @Column({ name: 'smtp_host', type: 'text' }) smtpHost!: string;
  @Column({ name: 'smtp_port', type: 'int' }) smtpPort!: number;
  @Column({ name: 'smtp_encryption', type: 'text' }) smtpEncryption!: SmtpEncryption;
  @Column({ name: 'smtp_username', type: 'text' }) smtpUsername!: string;
  @Column({ name: 'smtp_password_sealed', type: 'text' }) smtpPasswordSealed!: string;
  @Column({ name: 'smtp_validate_certificate', type: 'boolean' }) smtpValidateCertificate!: boolean;
  @Column({ name: 'smtp_oauth_provider', type: 'text', nullable: true }) smtpOAuthProvider!: OAuthProvider | null;

  @Column({ name: 'from_email', type: 'text' }) fromEmail!: string;
  @Column({ name: 'from_name', type: 'text' }) fromName!: string;
  @Column({ name: 'signature_html', type: 'text' }) signatureHtml!: string;
  @Column({ type: 'text' }) guidelines!: string;
  @Column({ name: 'response_delay_min_seconds', type: 'int' }) responseDelayMinSeconds!: number;
  @Column({ name: 'response_delay_max_seconds', type: 'int' }) responseDelayMaxSeconds!: number;

  @Column({ name: 'max_message_size_mb', type: 'int' }) maxMessageSizeMb!: number;
  @Column({ name: 'max_ai_replies_per_ticket', type: 'int' }) maxAiRepliesPerTicket!: number;
  @Column({ name: 'max_ai_replies_per_address', type: 'int' }) maxAiRepliesPerAddress!: number;
  @Column({ name: 'loop_window_minutes', type: 'int' }) loopWindowMinutes!: number;
  @Column({ name: 'max_ai_replies_per_hour', type: 'int' }) maxAiRepliesPerHour!: number;

  /** ImportSettings.since; null imports the whole mailbox. */
  @Column({ name: 'import_since', type: 'timestamptz', nullable: true }) importSince!: Date | null;

  /** What the AI does with tickets: auto (answers), draft (an agent sends or discards), off (never answers). */
  @Column({ name: 'ai_mode', type: 'text' }) aiMode!: AiMode;
  /** HandoffSettings: whether the customer is told (in plain text) when the AI hands the ticket to a human. */
  @Column({ name: 'handoff_acknowledge', type: 'boolean' }) handoffAcknowledge!: boolean;
  @Column({ name: 'handoff_text', type: 'text' }) handoffText!: string;
  /** SentFolderSettings.append: whether mail-outbound copies sent replies to the mailbox's Sent folder. */
  @Column({ name: 'sent_folder_append', type: 'boolean' }) sentFolderAppend!: boolean;

  /**
   * The pause mail-ingest reported for IMAP and mail-outbound for SMTP (channel.email.paused), null while not paused.
   * Every new revision clears both (ProjectChanges.apply): the services resume with it.
   */
  @Column({ name: 'imap_pause', type: 'jsonb', nullable: true }) imapPause!: DirectionPause | null;
  @Column({ name: 'smtp_pause', type: 'jsonb', nullable: true }) smtpPause!: DirectionPause | null;

  /** Result of the last Test Connection; cleared when the connection settings change. */
  @Column({ name: 'last_connection_test', type: 'jsonb', nullable: true }) lastConnectionTest!: ConnectionTestSummary | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;

  settings(): EmailChannelSettings {
    return {
      imap: {
        host: this.imapHost,
        port: this.imapPort,
        encryption: this.imapEncryption,
        username: this.imapUsername,
        password: { sealed: this.imapPasswordSealed },
        validateCertificate: this.imapValidateCertificate,
        markAsRead: this.imapMarkAsRead,
        auth: authOf(this.imapOAuthProvider),
      },
      smtp: {
        host: this.smtpHost,
        port: this.smtpPort,
        encryption: this.smtpEncryption,
        username: this.smtpUsername,
        password: { sealed: this.smtpPasswordSealed },
        validateCertificate: this.smtpValidateCertificate,
        auth: authOf(this.smtpOAuthProvider),
      },
      identity: { fromEmail: this.fromEmail, fromName: this.fromName, signatureHtml: this.signatureHtml },
      guidelines: this.guidelines,
      responseDelay: { minSeconds: this.responseDelayMinSeconds, maxSeconds: this.responseDelayMaxSeconds },
      safety: this.safety(),
      import: { since: this.importSince ? this.importSince.toISOString() : null },
      aiMode: this.aiMode,
      handoff: { acknowledge: this.handoffAcknowledge, text: this.handoffText },
      sentFolder: { append: this.sentFolderAppend },
    };
  }

  safety(): ChannelSafety {
    return {
      maxMessageSizeMb: this.maxMessageSizeMb,
      maxAiRepliesPerTicket: this.maxAiRepliesPerTicket,
      maxAiRepliesPerAddress: this.maxAiRepliesPerAddress,
      loopWindowMinutes: this.loopWindowMinutes,
      maxAiRepliesPerHour: this.maxAiRepliesPerHour,
    };
  }

  assignSettings(settings: EmailChannelSettings): void {
    const { imap, smtp, identity, responseDelay, safety } = settings;
    this.importSince = settings.import.since === null ? null : new Date(settings.import.since);
    this.imapHost = imap.host;
    this.imapPort = imap.port;
    this.imapEncryption = imap.encryption;
    this.imapUsername = imap.username;
    this.imapPasswordSealed = imap.password.sealed;
    this.imapValidateCertificate = imap.validateCertificate;
    this.imapMarkAsRead = imap.markAsRead;
    this.imapOAuthProvider = imap.auth.type === 'oauth2' ? imap.auth.provider : null;
    this.smtpHost = smtp.host;
    this.smtpPort = smtp.port;
    this.smtpEncryption = smtp.encryption;
    this.smtpUsername = smtp.username;
    this.smtpPasswordSealed = smtp.password.sealed;
    this.smtpValidateCertificate = smtp.validateCertificate;
    this.smtpOAuthProvider = smtp.auth.type === 'oauth2' ? smtp.auth.provider : null;
    this.fromEmail = identity.fromEmail;
    this.fromName = identity.fromName;
    this.signatureHtml = identity.signatureHtml;
    this.guidelines = settings.guidelines;
    this.responseDelayMinSeconds = responseDelay.minSeconds;
    this.responseDelayMaxSeconds = responseDelay.maxSeconds;
    this.maxMessageSizeMb = safety.maxMessageSizeMb;
    this.maxAiRepliesPerTicket = safety.maxAiRepliesPerTicket;
    this.maxAiRepliesPerAddress = safety.maxAiRepliesPerAddress;
    this.loopWindowMinutes = safety.loopWindowMinutes;
    this.maxAiRepliesPerHour = safety.maxAiRepliesPerHour ?? DEFAULT_CHANNEL_SAFETY.maxAiRepliesPerHour;
    this.aiMode = settings.aiMode;
    this.handoffAcknowledge = settings.handoff.acknowledge;
    this.handoffText = settings.handoff.text;
    this.sentFolderAppend = settings.sentFolder.append;
  }
}

function authOf(provider: OAuthProvider | null): MailAuth {
  return provider ? { type: 'oauth2', provider } : { type: 'password' };
}
