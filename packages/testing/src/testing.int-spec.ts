import { connect as connectTcp } from 'node:net';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import pg from 'pg';
import { connect as connectNats } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import {
  createTestDatabase,
  eventually,
  freePort,
  selfSignedCertificate,
  startDovecot,
  startNats,
  startSmtpServer,
  waitForPort,
  type DovecotServer,
  type MailUser,
} from './index.js';

const SUPPORT = { username: 'support@example.test', password: 'secret-pass' };

function sampleMessage(subject: string): string {
  return [
    'From: Customer <customer@example.test>',
    'To: Support <support@example.test>',
    `Subject: ${subject}`,
    `Message-ID: <${subject.replace(/\W/g, '-')}@example.test>`,
    'Date: Tue, 25 Nov 2025 10:00:00 +0000',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Hello, I need help.',
    '',
  ].join('\r\n');
}

function imapClient(server: DovecotServer, overrides: Partial<ConstructorParameters<typeof ImapFlow>[0]> = {}): ImapFlow {
  return new ImapFlow({
    host: server.host,
    port: server.imapsPort,
    secure: true,
    tls: { rejectUnauthorized: false },
    auth: { user: SUPPORT.username, pass: SUPPORT.password },
    logger: false,
    ...overrides,
  });
}

/** Reads the IMAP greeting plus the CAPABILITY response from a raw, unencrypted connection. */
function plainImapCapabilities(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connectTcp({ host: '127.0.0.1', port });
    let received = '';
    let asked = false;
    socket.setEncoding('utf8');
    socket.once('error', reject);
    socket.on('data', (chunk: string) => {
      received += chunk;
      if (!asked && received.includes('\r\n')) {
        asked = true;
        socket.write('a1 CAPABILITY\r\n');
      }
      if (/^a1 OK/m.test(received)) {
        socket.end('a2 LOGOUT\r\n');
        resolve(received);
      }
    });
  });
}

async function portIsClosed(port: number): Promise<boolean> {
  try {
    await waitForPort(port, '127.0.0.1', 200);
    return false;
  } catch {
    return true;
  }
}

describe('selfSignedCertificate', () => {
  it('creates one PEM pair per process for localhost', async () => {
    const first = await selfSignedCertificate();
    const second = await selfSignedCertificate();
    expect(second).toBe(first);
    expect(first.cert).toContain('BEGIN CERTIFICATE');
    expect(first.key).toContain('PRIVATE KEY');
    expect(existsSync(first.keyPath) && existsSync(first.certPath)).toBe(true);
  });
});

describe('ports and eventually', () => {
  it('hands out distinct free ports and detects closed ones', async () => {
    const ports = await Promise.all([freePort(), freePort(), freePort()]);
    expect(new Set(ports).size).toBe(3);
    await expect(waitForPort(ports[0]!, '127.0.0.1', 150)).rejects.toThrow(/did not accept/);
  });

  it('polls until the probe returns a value, or fails with the given message', async () => {
    let calls = 0;
    await expect(eventually(() => (++calls >= 3 ? 'ready' : undefined), { intervalMs: 5 })).resolves.toBe('ready');
    await expect(eventually(() => false, { timeoutMs: 50, intervalMs: 5, message: 'never true' })).rejects.toThrow('never true');
  });
});

describe('startDovecot', () => {
  let server: DovecotServer;

  beforeAll(async () => {
    server = await startDovecot();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('delivers a message that an IMAPS client sees in INBOX, and listInbox shows it unseen', async () => {
    await server.deliver(SUPPORT.username, sampleMessage('First question'));

    const client = imapClient(server);
    await client.connect();
    try {
      const lock = await client.getMailboxLock('INBOX');
      try {
        const subjects: string[] = [];
        for await (const message of client.fetch('1:*', { envelope: true })) subjects.push(message.envelope?.subject ?? '');
        expect(subjects).toContain('First question');
      } finally {
        lock.release();
      }
    } finally {
      await client.logout();
    }

    const inbox = await server.listInbox(SUPPORT.username);
    expect(inbox).toHaveLength(1);
    expect(inbox[0]).toEqual({ uid: 1, flags: [] });
  });

  it('listInbox reports \\Seen once a client marks the message read', async () => {
    const client = imapClient(server);
    await client.connect();
    try {
      const lock = await client.getMailboxLock('INBOX');
      try {
        await client.messageFlagsAdd('1', ['\\Seen'], { uid: true });
      } finally {
        lock.release();
      }
    } finally {
      await client.logout();
    }
    expect(await server.listInbox(SUPPORT.username)).toEqual([{ uid: 1, flags: ['\\Seen'] }]);
  });

  it('offers STARTTLS and plaintext login on the tcp port', async () => {
    const capabilities = await plainImapCapabilities(server.imapPort);
    expect(capabilities).toContain('STARTTLS');
    expect(capabilities).not.toContain('LOGINDISABLED');

    const upgraded = imapClient(server, { port: server.imapPort, secure: false, doSTARTTLS: true });
    await upgraded.connect();
    expect(upgraded.secureConnection).toBe(true);
    await upgraded.logout();

    const plaintext = imapClient(server, { port: server.imapPort, secure: false, doSTARTTLS: false });
    await plaintext.connect();
    expect(plaintext.secureConnection).toBe(false);
    expect(plaintext.usable).toBe(true);
    await plaintext.logout();
  });

  it('rejects a wrong password', async () => {
    const client = imapClient(server, { auth: { user: SUPPORT.username, pass: 'wrong' } });
    await expect(client.connect()).rejects.toThrow();
    client.close();
  });

  it('pushes new mail to an IDLE client', async () => {
    const client = imapClient(server);
    await client.connect();
    try {
      const mailbox = await client.mailboxOpen('INBOX');
      const countBefore = mailbox.exists;
      const newMail = new Promise<number>((resolve) => client.on('exists', (update: { count: number }) => resolve(update.count)));
      void client.idle();
      await server.deliver(SUPPORT.username, sampleMessage('Second question'));
      const count = await Promise.race([
        newMail,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no EXISTS during IDLE')), 5_000)),
      ]);
      expect(count).toBe(countBefore + 1);
    } finally {
      await client.logout();
    }
  });

  it('runs independent instances side by side, each removed by stop()', async () => {
    const users: MailUser[] = [{ username: 'Other@Example.test', password: 'pw-2' }];
    const other = await startDovecot({ users });
    try {
      expect(other.imapPort).not.toBe(server.imapPort);
      await other.deliver('other@example.test', sampleMessage('Only here'));
      expect(await other.listInbox('other@example.test')).toHaveLength(1);

      const client = imapClient(other, { auth: { user: 'other@example.test', pass: 'pw-2' } });
      await client.connect();
      expect(await client.status('INBOX', { messages: true })).toMatchObject({ messages: 1 });
      await client.logout();
    } finally {
      await other.stop();
    }
    expect(await portIsClosed(other.imapPort)).toBe(true);
    expect(await portIsClosed(other.imapsPort)).toBe(true);
    // The first server is untouched.
    expect(await server.listInbox(SUPPORT.username)).toHaveLength(2);
  });
});

describe('startNats', () => {
  it('accepts publishes, keeps JetStream data across restart(), and cleans up on stop()', async () => {
    const server = await startNats();
    try {
      const nc = await connectNats({ servers: server.url });
      const received = new Promise<string>((resolve) => {
        const subscription = nc.subscribe('greetings', { max: 1 });
        void (async () => {
          for await (const message of subscription) resolve(message.string());
        })();
      });
      nc.publish('greetings', 'hello');
      await nc.flush();
      expect(await received).toBe('hello');

      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: 'DURABLE', subjects: ['durable.>'] });
      await jetstream(nc).publish('durable.one', 'kept');
      await nc.close();

      await server.restart();

      const again = await connectNats({ servers: server.url });
      const info = await (await jetstreamManager(again)).streams.info('DURABLE');
      expect(info.state.messages).toBe(1);
      await again.close();
    } finally {
      await server.stop();
    }
    expect(existsSync(server.storeDir)).toBe(false);
    expect(await portIsClosed(server.port)).toBe(true);
  });
});

describe('startSmtpServer', () => {
  const mail = { from: 'bot@example.test', to: 'customer@example.test', subject: 'Re: help', text: 'Here you go.' };

  it('plain: receives and parses mail, and offers no TLS', async () => {
    const server = await startSmtpServer({ mode: 'plain' });
    try {
      const transport = nodemailer.createTransport({ host: server.host, port: server.port, secure: false });
      await transport.sendMail(mail);
      const [received] = await server.waitForMessages(1);
      expect(received?.envelopeFrom).toBe('bot@example.test');
      expect(received?.envelopeTo).toEqual(['customer@example.test']);
      expect(received?.parsed.subject).toBe('Re: help');
      expect(received?.parsed.text?.trim()).toBe('Here you go.');
      expect(received?.raw.toString('utf8')).toContain('Subject: Re: help');
      expect(received?.secure).toBe(false);
      expect(received?.authUser).toBeNull();

      const tlsOnly = nodemailer.createTransport({ host: server.host, port: server.port, secure: false, requireTLS: true });
      await expect(tlsOnly.sendMail(mail)).rejects.toThrow(/STARTTLS/i);
    } finally {
      await server.stop();
    }
  });

  it('starttls: upgrades the connection before the message', async () => {
    const server = await startSmtpServer({ mode: 'starttls' });
    try {
      const transport = nodemailer.createTransport({
        host: server.host,
        port: server.port,
        secure: false,
        requireTLS: true,
        tls: { rejectUnauthorized: false },
      });
      await transport.sendMail(mail);
      expect(server.messages).toHaveLength(1);
      expect(server.messages[0]?.secure).toBe(true);
    } finally {
      await server.stop();
    }
  });

  it('implicit-tls: speaks TLS from the first byte', async () => {
    const server = await startSmtpServer({ mode: 'implicit-tls' });
    try {
      const transport = nodemailer.createTransport({ host: server.host, port: server.port, secure: true, tls: { rejectUnauthorized: false } });
      await transport.sendMail(mail);
      const [received] = await server.waitForMessages(1);
      expect(received?.secure).toBe(true);
    } finally {
      await server.stop();
    }
  });

  it('with users: requires AUTH, records the user, and rejects bad or missing credentials', async () => {
    const server = await startSmtpServer({ mode: 'starttls', users: [{ username: 'relay', password: 'relay-pass' }] });
    try {
      const options = { host: server.host, port: server.port, secure: false, tls: { rejectUnauthorized: false } };
      await nodemailer.createTransport({ ...options, auth: { user: 'relay', pass: 'relay-pass' } }).sendMail(mail);
      expect(server.messages[0]?.authUser).toBe('relay');

      await expect(nodemailer.createTransport({ ...options, auth: { user: 'relay', pass: 'nope' } }).sendMail(mail)).rejects.toMatchObject({
        responseCode: 535,
      });
      await expect(nodemailer.createTransport(options).sendMail(mail)).rejects.toMatchObject({ responseCode: 530 });
      expect(server.messages).toHaveLength(1);
    } finally {
      await server.stop();
    }
  });

  it('waitForMessages rejects after its timeout', async () => {
    const server = await startSmtpServer();
    try {
      await expect(server.waitForMessages(1, 100)).rejects.toThrow(/received 0/);
    } finally {
      await server.stop();
    }
  });
});

describe('createTestDatabase', () => {
  it('creates a database that accepts queries, and drop() removes it', async () => {
    const database = await createTestDatabase();
    expect(database.name).toMatch(/^t_[0-9a-f]{16}$/);

    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const { rows } = await client.query<{ one: number; db: string }>('select 1 as one, current_database() as db');
    expect(rows[0]).toEqual({ one: 1, db: database.name });
    // Left open on purpose: drop() must terminate it.
    client.on('error', () => undefined);

    await database.drop();
    await database.drop();

    const admin = new pg.Client({ connectionString: process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' });
    await admin.connect();
    const remaining = await admin.query('select 1 from pg_database where datname = $1', [database.name]);
    await admin.end();
    expect(remaining.rowCount).toBe(0);
    await client.end().catch(() => undefined);
  });
});
