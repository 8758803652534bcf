import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { ChannelSettingsSnapshot, EmailIdentity } from '@ensoras/contracts';
import { credentialSecret, smtpTransportOptions } from '@ensoras/mail';
import { ChannelSettingsReplica } from '@ensoras/messaging';
import { createTransport, type Transporter } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import type { Subscription } from 'rxjs';
import { useEndOfDataGate } from './end-of-data-gate.js';
import { SmtpCredentials } from './smtp-credentials.js';

/** Connect and greeting bound; a send must end well inside the delivery lease (see SEND_LEASE_MS). */
const CONNECT_TIMEOUT_MS = 15_000;
/** Inactivity bound of an open connection, also how long an idle pooled connection stays open. */
const SOCKET_TIMEOUT_MS = 30_000;
/**
 * A burst of replies (after a reply storm) goes out over this many connections at once. Three: Microsoft 365 allows
 * no more per mailbox, and most providers limit concurrent connections per client to a handful.
 */
export const MAX_CONNECTIONS_PER_PROJECT = 3;

/** A channel that can send: SMTP settings (a sealed password, or `auth` oauth2), and an identity. */
export type SendingChannel = ChannelSettingsSnapshot & { smtp: NonNullable<ChannelSettingsSnapshot['smtp']>; identity: EmailIdentity };

export interface ChannelTransport {
  transporter: Transporter<SMTPPool.SentMessageInfo>;
  /** The password or access token it logs in with; kept in memory only, to scrub it from any text that leaves this service. */
  password: string;
}

/**
 * One pooled nodemailer transporter per project, for the revision of the channel settings it was built from. A new
 * revision (or a deleted channel) closes the old pool, so changed credentials take effect with the next mail.
 */
@Injectable()
export class SmtpTransports implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(SmtpTransports.name);
  private readonly pools = new Map<string, ChannelTransport & { revision: number }>();
  private subscription: Subscription | undefined;

  constructor(
    private readonly replica: ChannelSettingsReplica,
    private readonly credentials: SmtpCredentials,
  ) {}

  onModuleInit(): void {
    this.subscription = this.replica.changes.subscribe(({ projectId, settings }) => {
      const pool = this.pools.get(projectId);
      if (pool && pool.revision !== settings?.revision) this.close(projectId);
    });
  }

  onApplicationShutdown(): void {
    this.subscription?.unsubscribe();
    for (const projectId of [...this.pools.keys()]) this.close(projectId);
  }

  /**
   * The transporter for the channel's current settings and credential: a new revision, or a new access token (the
   * pool's open connections logged in with the old one, and new ones must use the new one), builds a new pool.
   * Throws what SmtpCredentials throws when there is no credential to use (see credentialFailure).
   */
  async forChannel(channel: SendingChannel): Promise<ChannelTransport> {
    const credential = await this.credentials.of(channel);
    const secret = credentialSecret(credential);
    const existing = this.pools.get(channel.projectId);
    if (existing?.revision === channel.revision && existing.password === secret) return existing;
    if (existing) this.close(channel.projectId);

    const { password: _sealed, auth: _auth, ...connection } = channel.smtp;
    const options = smtpTransportOptions(
      // A snapshot written before SMTP had its own certificate switch lacks it: validate, the safe default.
      { ...connection, ...credential, validateCertificate: channel.smtp.validateCertificate ?? true },
      { timeoutMs: CONNECT_TIMEOUT_MS, socketTimeoutMs: SOCKET_TIMEOUT_MS },
    );
    const transporter = createTransport({
      ...options,
      pool: true,
      maxConnections: MAX_CONNECTIONS_PER_PROJECT,
      // The pool would silently resend a message whose connection closed mid-transaction, maybe after the server
      // took it. Retries are ours to decide, with the delivery row recording each attempt.
      maxRequeues: 0,
    } as SMTPPool.Options);
    useEndOfDataGate(transporter);
    // A pooled connection that breaks while idle reports here; the next send opens a fresh one.
    transporter.on('error', (error) => this.logger.debug(`SMTP pool of ${channel.projectId}: ${error.message}`));
    const pool = { transporter, password: secret, revision: channel.revision };
    this.pools.set(channel.projectId, pool);
    return pool;
  }

  private close(projectId: string): void {
    const pool = this.pools.get(projectId);
    this.pools.delete(projectId);
    // close() lets a send in progress finish on its connection, then ends the pool.
    pool?.transporter.close();
  }
}
