// The demo mailbox of `npm run demo`: a local Dovecot IMAP server (the system's dovecot-imapd, as the tests use) and
// an SMTP receiver, a `demo` project configured and enabled against them through the admin API, and every mail the
// channel sends saved under .data/demo/sent. `npm run demo:send -- "text"` plays the customer.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDovecot, startSmtpServer } from '@ensoras/testing';

export const DEMO_PROJECT = 'demo';
const SUPPORT = { username: 'support@demo.test', password: 'demo-imap-password' };
const SMTP_USER = { username: 'support@demo.test', password: 'demo-smtp-password' };

export async function startDemo({ dataDir, adminToken, configUrl, inboxUrl }) {
  const demoDir = join(dataDir, 'demo');
  const sentDir = join(demoDir, 'sent');
  mkdirSync(sentDir, { recursive: true });

  let dovecot;
  try {
    dovecot = await startDovecot({ users: [SUPPORT] });
  } catch (error) {
    console.log(`\nThe demo mailbox could not start: ${firstLine(error)}`);
    console.log('It needs Dovecot (Debian/Ubuntu: `sudo apt-get install dovecot-imapd`) and root, as Dovecot switches users.');
    console.log('The services run on without it; configure your own mailbox with the admin API (see README).');
    return null;
  }
  const smtp = await startSmtpServer({ mode: 'plain', users: [SMTP_USER] });
  const saving = saveSentMail(smtp, sentDir);

  const api = async (method, path, body) => {
    const response = await fetch(`${configUrl}/v1/projects/${DEMO_PROJECT}${path}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    return text ? JSON.parse(text) : null;
  };
  try {
    await api('PUT', '/configuration', {
      communicationStyle: 'Friendly and concise. Address the customer by name and keep answers short.',
    });
    await api('PUT', '/channels/email', {
      imap: {
        host: '127.0.0.1',
        port: dovecot.imapsPort,
        encryption: 'ssl',
        username: SUPPORT.username,
        password: SUPPORT.password,
        // Dovecot here has a self-signed certificate; a real mailbox keeps validation on.
        validateCertificate: false,
        markAsRead: true,
      },
      smtp: { host: '127.0.0.1', port: smtp.port, encryption: 'none', username: SMTP_USER.username, password: SMTP_USER.password },
      // The shop of the demo knowledge base (demo-knowledge.mjs) that the AI answers from.
      identity: { fromEmail: SUPPORT.username, fromName: 'Lumen & Co. Support', signatureHtml: '<p>Kind regards,<br>The Lumen & Co. team</p>' },
      guidelines: 'Use a professional email tone with proper greeting and sign-off.',
      // Seconds, so the answer comes while you watch; the spec recommends 30–120 s for real customers.
      responseDelay: { minSeconds: 2, maxSeconds: 5 },
    });
    const test = await api('POST', '/channels/email/test-connection');
    if (!test.imap?.ok || !test.smtp?.ok) throw new Error(`Test Connection failed: ${JSON.stringify(test)}`);
    await api('POST', '/channels/email/enable');
  } catch (error) {
    console.log(`\nThe demo project could not be configured: ${firstLine(error)}`);
    await Promise.all([dovecot.stop(), smtp.stop()]);
    return null;
  }

  // What `npm run demo:send` needs to play the customer: the mailbox, as a mail client would log in to it.
  writeFileSync(
    join(demoDir, 'mailbox.json'),
    JSON.stringify({ host: '127.0.0.1', port: dovecot.imapsPort, ...SUPPORT, sentDir, inboxUrl, project: DEMO_PROJECT }, null, 2),
    { mode: 0o600 },
  );
  console.log(
    [
      '',
      `Demo mailbox: ${SUPPORT.username} on a local Dovecot (IMAP 127.0.0.1:${dovecot.imapsPort}), replies through a local`,
      `SMTP receiver (127.0.0.1:${smtp.port}); project "${DEMO_PROJECT}" is configured, tested and enabled (2–5 s delay).`,
      'Be the customer, in another terminal:',
      '  npm run demo:send -- "How much is shipping to Austria, and how long does it take?"',
      'It waits for the answer and prints it. The AI answers from the demo knowledge base of the shop "Lumen & Co."',
      '(apps/ai-responder/eval/demo-knowledge.json) and hands anything it does not cover to a person.',
      `Every mail the channel sends is saved in ${sentDir};`,
      `the tickets: curl -H "Authorization: Bearer ${adminToken}" ${inboxUrl}/v1/projects/${DEMO_PROJECT}/tickets`,
      `the mailbox's status: curl -H "Authorization: Bearer ${adminToken}" ${configUrl}/v1/projects/${DEMO_PROJECT}/channels/email/status`,
    ].join('\n'),
  );
  return {
    async stop() {
      saving.stop();
      rmSync(join(demoDir, 'mailbox.json'), { force: true });
      await Promise.all([dovecot.stop(), smtp.stop()]);
    },
  };
}

/** Writes each mail the SMTP receiver accepts as NNN.eml (raw) and NNN.json (what demo:send reads). */
function saveSentMail(smtp, sentDir) {
  let saved = 0;
  let stopped = false;
  void (async () => {
    while (!stopped) {
      const messages = await smtp.waitForMessages(saved + 1, 1_000).catch(() => null);
      for (const message of messages?.slice(saved) ?? []) {
        saved += 1;
        const name = String(saved).padStart(3, '0');
        writeFileSync(join(sentDir, `${name}.eml`), message.raw);
        const { parsed } = message;
        const summary = {
          to: message.envelopeTo,
          subject: parsed.subject ?? '',
          messageId: parsed.messageId ?? null,
          inReplyTo: parsed.inReplyTo ?? null,
          autoSubmitted: parsed.headers.get('auto-submitted') ?? null,
          text: parsed.text ?? '',
          savedAs: join(sentDir, `${name}.eml`),
        };
        writeFileSync(join(sentDir, `${name}.json`), JSON.stringify(summary, null, 2));
        console.log(`demo           | sent to ${summary.to.join(', ')}: "${summary.subject}" (saved as ${summary.savedAs})`);
      }
    }
  })();
  return { stop: () => (stopped = true) };
}

function firstLine(error) {
  return String(error instanceof Error ? error.message : error).split('\n')[0];
}
