/**
 * Pauses reported by mail-ingest and mail-outbound (channel.email.paused), against a real nats-server and PostgreSQL:
 * recorded on the channel and shown by the status route, ignored when older than the settings, cleared by POST
 * …/resume (a new revision, audited, channel.email.resumed) and by any other change.
 */
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHANNEL_SETTINGS_BUCKET,
  ChannelResumed,
  STREAMS,
  channelPausedEvent,
  type AuditEntryView,
  type ChannelPausedPayload,
  type ChannelResumedPayload,
  type ChannelSettingsSnapshot,
  type EmailChannelStatusView,
  type EmailChannelView,
  type EventEnvelope,
  type MailDirection,
} from '@ensoras/contracts';
import { eventually } from '@ensoras/testing';
import { ADMIN_TOKEN, ChannelConfigHarness } from '../test-support/channel-config-harness.js';

const PROJECT = 'p-paused';
const CONSUMER = 'channel-config__channel_any_email_paused';

describe('channel-config: paused directions and resume', () => {
  let harness: ChannelConfigHarness;
  let jsm: JetStreamManager;
  let settingsBucket: KV;

  beforeAll(async () => {
    harness = await ChannelConfigHarness.start();
    jsm = await jetstreamManager(harness.nc);
    settingsBucket = await harness.bucket(CHANNEL_SETTINGS_BUCKET);
  }, 60_000);

  afterAll(async () => {
    await harness?.stop();
  });

  /** Calls a route of the project's email channel. */
  const call = <T>(method: string, path: string, body?: unknown) => harness.call<T>(method, `/v1/projects/${PROJECT}/channels/email${path}`, body);

  async function revision(): Promise<number> {
    const entry = await settingsBucket.get(PROJECT);
    return entry!.json<ChannelSettingsSnapshot>().revision;
  }

  /** Publishes channel.email.paused as mail-ingest or mail-outbound would, and waits until channel-config has handled it. */
  async function reportPause(direction: MailDirection, atRevision: number, reason: string): Promise<ChannelPausedPayload> {
    const payload: ChannelPausedPayload = { projectId: PROJECT, direction, revision: atRevision, reason, failures: 3, pausedAt: new Date().toISOString() };
    const envelope = channelPausedEvent(payload);
    const ack = await jetstream(harness.nc).publish(`channel.${PROJECT}.email.paused`, JSON.stringify(envelope), { msgID: envelope.id });
    await eventually(
      async () => {
        const info = await jsm.consumers.info(STREAMS.channel, CONSUMER).catch(() => null);
        return info !== null && info.ack_floor.stream_seq >= ack.seq;
      },
      { timeoutMs: 15_000, message: 'channel-config did not handle channel.email.paused' },
    );
    return payload;
  }

  const status = async () => (await call<EmailChannelStatusView>('GET', '/status')).body;
  const audit = async () => (await call<{ entries: AuditEntryView[] }>('GET', '/audit')).body.entries;

  it('records a pause of each direction and shows it: state paused with the reason for IMAP, the SMTP pause beside it', async () => {
    const put = await call<EmailChannelView>('PUT', '', {
      imap: { host: '127.0.0.1', port: 993, encryption: 'ssl', username: 'support@acme.test', password: 'imap-secret-1', validateCertificate: false },
      smtp: { host: '127.0.0.1', port: 587, encryption: 'tls', username: 'support@acme.test', password: 'smtp-secret-1' },
      identity: { fromEmail: 'support@acme.test', fromName: 'Acme Support' },
    });
    expect(put.status).toBe(200);
    expect(put.body.paused).toEqual({ imap: null, smtp: null });
    expect((await call('POST', '/enable')).status).toBe(200);
    const current = await revision();

    const imap = await reportPause('imap', current, 'The IMAP server at 127.0.0.1:993 rejected the username or password.');
    const smtp = await reportPause('smtp', current, 'The SMTP server at 127.0.0.1:587 rejected the username or password.');

    const shown = await status();
    expect(shown).toMatchObject({ state: 'paused', lastError: imap.reason, lastErrorAt: imap.pausedAt });
    expect(shown.paused).toEqual({
      imap: { reason: imap.reason, pausedAt: imap.pausedAt, revision: current, failures: 3 },
      smtp: { reason: smtp.reason, pausedAt: smtp.pausedAt, revision: current, failures: 3 },
    });
    expect((await call<EmailChannelView>('GET', '')).body.paused).toEqual(shown.paused);
  });

  it('resumes with a new revision: pauses cleared, audited, channel.email.resumed; a second resume changes nothing', async () => {
    const before = await revision();
    const resumed = await call<EmailChannelView>('POST', '/resume');
    expect(resumed.status).toBe(200);
    expect(resumed.body.paused).toEqual({ imap: null, smtp: null });
    expect(await revision()).toBe(before + 1);
    expect((await status()).paused).toEqual({ imap: null, smtp: null });
    expect((await status()).state).not.toBe('paused');

    const [entry] = await audit();
    expect(entry).toMatchObject({ action: 'email_channel.resumed', changedFields: ['imap.paused', 'smtp.paused'], revision: before + 1 });
    const message = await eventually(() => jsm.streams.getMessage(STREAMS.channel, { last_by_subj: ChannelResumed.subject(PROJECT) }).catch(() => null));
    expect(message.json<EventEnvelope<ChannelResumedPayload>>().payload).toMatchObject({ projectId: PROJECT, revision: before + 1, directions: ['imap', 'smtp'] });

    const entries = (await audit()).length;
    const again = await call<EmailChannelView>('POST', '/resume');
    expect(again.status).toBe(200);
    expect(again.body.paused).toEqual({ imap: null, smtp: null });
    expect(await revision()).toBe(before + 1);
    expect(await audit()).toHaveLength(entries);
  });

  it('ignores a pause reported for a revision that was replaced meanwhile', async () => {
    const current = await revision();
    await reportPause('smtp', current - 1, 'The SMTP server rejected the old password.');
    expect((await status()).paused).toEqual({ imap: null, smtp: null });
    expect((await call<EmailChannelView>('GET', '')).body.paused).toEqual({ imap: null, smtp: null });
  });

  it('clears the pauses with any other change of the settings too', async () => {
    const current = await revision();
    await reportPause('smtp', current, 'The SMTP server rejected the password.');
    expect((await status()).paused.smtp).not.toBeNull();
    const patched = await call<EmailChannelView>('PATCH', '', { smtp: { password: 'smtp-secret-2' } });
    expect(patched.status).toBe(200);
    expect(patched.body.paused).toEqual({ imap: null, smtp: null });
    expect(await revision()).toBe(current + 1);
    expect((await status()).paused).toEqual({ imap: null, smtp: null });
    expect((await audit())[0]).toMatchObject({ action: 'email_channel.updated', changedFields: ['smtp.password'] });
  });

  it('answers 404 for resuming a channel that was never configured', async () => {
    const response = await fetch(`${harness.url}/v1/projects/p-nothing/channels/email/resume`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(response.status).toBe(404);
    expect((await fetch(`${harness.url}/v1/projects/${PROJECT}/channels/email/resume`, { method: 'POST' })).status).toBe(401);
  });
});
