#!/usr/bin/env node
// Outbound at volume: BENCH_REPLIES (1,000) mail.send.requested of one project, published at once as ticketing
// publishes them (over its NATS login), through mail-outbound to the stack's SMTP server (STARTTLS, AUTH), on
// PostgreSQL. Rate = replies / (last one received by the SMTP server − publish started). Beside it, one project whose
// SMTP server accepts the connection and then never answers: its replies wait, the first project's must not.
//   node infra/bench/outbound.mjs            (run.mjs runs it and puts its figures in the table)
import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { createEnvelope, MailSendRequested, subjectOf } from '@ensoras/contracts';
import { startChannelStack, PROJECT } from '@ensoras/testing';
import { processCpuWindow } from './process-cpu.mjs';

const REPLIES = Number(process.env.BENCH_REPLIES ?? 1000);
const STALLED_PROJECT = 'stalled';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const record = (figure, value, extra = {}) => {
  const line = { figure, value, database: 'postgres', ...extra };
  if (process.env.BENCH_RESULTS) appendFileSync(process.env.BENCH_RESULTS, `${JSON.stringify(line)}\n`);
};

// An SMTP server that takes the connection and never says a word: the worst neighbour (no error, only waiting).
const silentSockets = new Set();
const silent = createServer((socket) => {
  silentSockets.add(socket);
  socket.on('close', () => silentSockets.delete(socket));
  socket.on('error', () => undefined);
});
await new Promise((resolve) => silent.listen(0, '127.0.0.1', resolve));

const stack = await startChannelStack('bench-outbound', { database: 'postgres' });
let nats;
try {
  const settings = stack.channelSettings({
    responseDelay: { minSeconds: 0, maxSeconds: 0 },
    safety: { maxMessageSizeMb: 25, maxAiRepliesPerTicket: 100, maxAiRepliesPerAddress: 1000, loopWindowMinutes: 1, maxAiRepliesPerHour: 100_000 },
  });
  const stalledSettings = { ...settings, smtp: { ...settings.smtp, host: '127.0.0.1', port: silent.address().port, encryption: 'none' } };
  for (const [project, body] of [
    [PROJECT, settings],
    [STALLED_PROJECT, stalledSettings],
  ]) {
    for (const [method, path, content] of [
      ['PUT', `/v1/projects/${project}/channels/email`, body],
      ['POST', `/v1/projects/${project}/channels/email/enable`, undefined],
    ]) {
      const { status, body: answer } = await stack.api('channel-config', method, path, content);
      if (status !== 200) throw new Error(`${method} ${path} answered ${status}: ${JSON.stringify(answer)}`);
    }
  }
  // mail-outbound learns the settings from the KV bucket: give it a moment.
  await sleep(1_000);

  const login = stack.natsLogin('ticketing');
  // Each user may only receive replies under its own inbox prefix (infra/nats/nats-server.conf).
  nats = await connect({ servers: login.NATS_URL, user: login.NATS_USER, pass: login.NATS_PASSWORD, inboxPrefix: `_INBOX.${login.NATS_USER}` });
  const js = jetstream(nats);
  const request = (projectId, n) =>
    createEnvelope(MailSendRequested, projectId, {
      outboundMessageId: randomUUID(),
      ticketId: randomUUID(),
      from: { address: 'support@acme.test', name: 'Acme Support' },
      to: [{ address: `customer${n}@bench.test`, name: `Customer ${n}` }],
      cc: [],
      subject: `Re: bench question ${n}`,
      messageId: `<reply-${n}-${randomUUID()}@acme.test>`,
      inReplyTo: `<bench-${n}@bench.test>`,
      references: [`<bench-${n}@bench.test>`],
      text: `Hello Customer ${n},\n\nthank you for your message. Your order ships today; the tracking link follows by mail.\n\nKind regards`,
      html: null,
      author: 'ai',
    });
  const publish = (envelope) => js.publish(subjectOf(envelope), JSON.stringify(envelope), { msgID: envelope.id });

  // The neighbour first: its replies are in the stream ahead of the burst, and its server never answers.
  await Promise.all(Array.from({ length: 20 }, (_, n) => publish(request(STALLED_PROJECT, n))));
  const before = stack.smtp.messages.length;
  const byProcess = processCpuWindow();
  const started = performance.now();
  await Promise.all(Array.from({ length: REPLIES }, (_, n) => publish(request(PROJECT, n))));
  const published = performance.now();
  const deadline = started + 300_000;
  while (stack.smtp.messages.length - before < REPLIES && performance.now() < deadline) await sleep(20);
  const done = performance.now();
  const spentByProcess = byProcess.end();
  const received = stack.smtp.messages.length - before;
  const sessions = new Set(stack.smtp.messages.slice(before).map((mail) => mail.sessionId)).size;
  const rate = received / ((done - started) / 1000);
  console.log(`[postgres] ${REPLIES} replies of one project published in ${((published - started) / 1000).toFixed(1)} s`);
  console.log(`  at the SMTP server: ${received} after ${((done - started) / 1000).toFixed(1)} s: ${rate.toFixed(1)} mails/s over ${sessions} connections`);
  // Where the CPU of the burst went (the SMTP server is this bench's own process); PostgreSQL may be shared.
  const perMail = (seconds) => ((seconds * 1000) / Math.max(received, 1)).toFixed(2);
  const shares = spentByProcess.map(([group, spent]) => `${group} ${perMail(spent.seconds)} (main thread ${perMail(spent.mainSeconds)})`);
  console.log(`  CPU by process, ms per mail: ${shares.join(', ')}`);
  console.log(`  meanwhile ${silentSockets.size} connection(s) held open by the silent server of project "${STALLED_PROJECT}"`);
  record('outbound-replies', received === REPLIES ? rate : null, { replies: REPLIES, sessions });
} finally {
  await nats?.close();
  for (const socket of silentSockets) socket.destroy();
  silent.close();
  await stack.stop();
}
