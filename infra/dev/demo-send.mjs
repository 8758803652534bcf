#!/usr/bin/env node
// `npm run demo:send -- "My parcel has not arrived"`: plays the customer of the demo (`npm run demo`). Puts a mail
// into the demo mailbox the way a mail client does (IMAP APPEND), then waits for the channel's answer and prints it.
//   --from "Jane Doe <jane@customer.example>"   the customer (default Jane Doe)
//   --subject "Where is my parcel?"              the subject (default: the start of the text)
//   --reply-to <n>                               answer the n-th saved reply instead (threads into its ticket)
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ImapFlow } from 'imapflow';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';

const ANSWER_TIMEOUT_MS = 60_000;
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { from: { type: 'string' }, subject: { type: 'string' }, 'reply-to': { type: 'string' } },
});
const text = positionals.join(' ').trim();
if (!text) {
  console.error('Usage: npm run demo:send -- "My parcel has not arrived" [--from "Name <address>"] [--subject "..."] [--reply-to <n>]');
  process.exit(2);
}
const mailboxFile = join(process.env.DATA_DIR ?? '.data', 'demo', 'mailbox.json');
if (!existsSync(mailboxFile)) {
  console.error('The demo is not running: start it with `npm run demo` in another terminal (and wait for "ready").');
  process.exit(1);
}
const mailbox = JSON.parse(readFileSync(mailboxFile, 'utf8'));
const answered = values['reply-to'] ? savedReply(mailbox.sentDir, values['reply-to']) : null;

const messageId = `<demo-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@customer.example>`;
const raw = await new MailComposer({
  from: values.from ?? 'Jane Doe <jane@customer.example>',
  to: mailbox.username,
  subject: values.subject ?? (answered ? answered.subject : subjectFrom(text)),
  text,
  messageId,
  date: new Date(),
  ...(answered?.messageId ? { inReplyTo: answered.messageId, references: [answered.messageId] } : {}),
})
  .compile()
  .build();

const client = new ImapFlow({
  host: mailbox.host,
  port: mailbox.port,
  secure: true,
  // The demo's Dovecot has a self-signed certificate.
  tls: { rejectUnauthorized: false },
  auth: { user: mailbox.username, pass: mailbox.password },
  logger: false,
});
await client.connect();
await client.append('INBOX', raw);
await client.logout();
console.log(`Delivered ${messageId} to ${mailbox.username}. Waiting for the answer (the demo's delay is 2–5 s)…`);

const deadline = Date.now() + ANSWER_TIMEOUT_MS;
while (Date.now() < deadline) {
  const reply = sentReplies(mailbox.sentDir).find((mail) => mail.inReplyTo === messageId);
  if (reply) {
    console.log(`\nFrom the channel, to ${reply.to.join(', ')}: ${reply.subject}`);
    console.log(`Auto-Submitted: ${reply.autoSubmitted ?? '(none)'}\n`);
    console.log(reply.text.trim());
    console.log(`\nSaved as ${reply.savedAs}. The ticket: GET ${mailbox.inboxUrl}/v1/projects/${mailbox.project}/tickets`);
    console.log(`Answer it: npm run demo:send -- "Thanks, and when will it arrive?" --reply-to ${reply.number}`);
    process.exit(0);
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
}
console.error(`No answer within ${ANSWER_TIMEOUT_MS / 1000} s. A mail the demo knowledge base does not answer is handed to a person`);
console.error(`instead (the ai-responder's log line for the ticket says so); otherwise the services' logs in the demo's terminal say why.`);
process.exit(1);

function sentReplies(dir) {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => ({ ...JSON.parse(readFileSync(join(dir, name), 'utf8')), number: Number.parseInt(name, 10) }));
}

function savedReply(dir, number) {
  const reply = sentReplies(dir).find((mail) => mail.number === Number(number));
  if (!reply) {
    console.error(`There is no saved reply number ${number} in ${dir}.`);
    process.exit(2);
  }
  return reply;
}

function subjectFrom(body) {
  const firstLine = body.split('\n')[0];
  return firstLine.length > 60 ? `${firstLine.slice(0, 57)}…` : firstLine;
}
