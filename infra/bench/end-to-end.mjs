// The five built services as processes against real Dovecot, SMTP, NATS and PostgreSQL (as in the e2e test), with
// a zero response delay: how long from a mail landing in the mailbox to its ticket in the inbox API, and to the
// AI's answer arriving at the SMTP server. Sequential mails (latency), then a burst (throughput).
import { performance } from 'node:perf_hooks';
import { PROJECT, startChannelStack, SUPPORT } from '@ensoras/testing';

const SEQUENTIAL = 20;
const BURST = 100;

const stack = await startChannelStack('bench');
const percentile = (values, p) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))];
const mail = (n, label) =>
  [
    `From: Customer ${n} <customer${n}.${label}@bench.test>`,
    'To: support@acme.test',
    `Subject: ${label} question ${n}`,
    `Message-ID: <${label}-${n}@bench.test>`,
    `Date: ${new Date().toUTCString()}`,
    '',
    `Hello, this is ${label} question number ${n}.`,
    '',
  ].join('\r\n');

try {
  const settings = stack.channelSettings({
    responseDelay: { minSeconds: 0, maxSeconds: 0 },
    safety: { maxMessageSizeMb: 25, maxAiRepliesPerTicket: 100, maxAiRepliesPerAddress: 1000, loopWindowMinutes: 1 },
  });
  for (const [method, path, body] of [
    ['PUT', `/v1/projects/${PROJECT}/channels/email`, settings],
    ['POST', `/v1/projects/${PROJECT}/channels/email/enable`, undefined],
  ]) {
    const { status } = await stack.api('channel-config', method, path, body);
    if (status !== 200) throw new Error(`${method} ${path} answered ${status}`);
  }
  const ticketCount = async () =>
    (await stack.api('ticketing', 'GET', `/v1/projects/${PROJECT}/tickets?limit=1`)).body.items.length === 0
      ? 0
      : countAll();
  async function countAll() {
    let count = 0;
    let cursor = null;
    do {
      const { body } = await stack.api('ticketing', 'GET', `/v1/projects/${PROJECT}/tickets?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
      count += body.items.length;
      cursor = body.nextCursor;
    } while (cursor);
    return count;
  }
  const waitUntil = async (probe) => {
    for (;;) {
      if (await probe()) return performance.now();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  const toTicket = [];
  const toReply = [];
  for (let n = 1; n <= SEQUENTIAL; n++) {
    const started = performance.now();
    await stack.dovecot.deliver(SUPPORT.username, mail(n, 'sequential'));
    const ticketAt = await waitUntil(async () => (await ticketCount()) >= n);
    const replyAt = await waitUntil(() => stack.smtp.messages.length >= n);
    toTicket.push(ticketAt - started);
    toReply.push(replyAt - started);
  }
  const ms = (value) => `${value.toFixed(0)} ms`;
  console.log(`sequential, ${SEQUENTIAL} mails, response delay 0:`);
  console.log(`  mailbox → ticket in the inbox API: median ${ms(percentile(toTicket, 50))}, p90 ${ms(percentile(toTicket, 90))}`);
  console.log(`  mailbox → AI reply at the SMTP server: median ${ms(percentile(toReply, 50))}, p90 ${ms(percentile(toReply, 90))}`);

  const burstStarted = performance.now();
  for (let n = 1; n <= BURST; n++) await stack.dovecot.deliver(SUPPORT.username, mail(n, 'burst'));
  const delivered = performance.now();
  const ticketsAt = await waitUntil(async () => (await countAll()) >= SEQUENTIAL + BURST);
  await waitUntil(() => stack.smtp.messages.length >= SEQUENTIAL + BURST);
  const seconds = (performance.now() - burstStarted) / 1000;
  console.log(`burst of ${BURST} mails (delivered in ${((delivered - burstStarted) / 1000).toFixed(1)} s): all tickets after ${((ticketsAt - burstStarted) / 1000).toFixed(1)} s, all answered after ${seconds.toFixed(1)} s, ${(BURST / seconds).toFixed(1)} mails/s through all five services`);
} finally {
  await stack.stop();
}
