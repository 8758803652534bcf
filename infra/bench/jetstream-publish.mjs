// Durable publish rate of mail.received-sized events (each awaited until the stream stored it), and the
// end-to-end rate of a durable consumer acking them, on a private nats-server.
import { appendFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { jetstream, jetstreamManager, AckPolicy } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { createEnvelope, MailReceived } from '@ensoras/contracts';
import { ensureStreams } from '@ensoras/messaging';
import { startNats } from '@ensoras/testing';

const nats = await startNats();
try {
  const nc = await connect({ servers: nats.url });
  const jsm = await jetstreamManager(nc);
  await ensureStreams(jsm);
  const js = jetstream(nc);
  const text = 'Hello, my order has not arrived. '.repeat(60); // ~2 KB body
  const count = 2000;
  const concurrency = 32;

  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const envelope = createEnvelope(MailReceived, 'bench', { messageId: `<${i}@bench>`, subject: 'Order', text });
        await js.publish(MailReceived.subject('bench'), JSON.stringify(envelope), { msgID: envelope.id });
      }
    }),
  );
  const publishSeconds = (performance.now() - started) / 1000;
  console.log(`durable publish: ${(count / publishSeconds).toFixed(0)} events/s (${count} events, ${concurrency} in flight, ~2 KB each)`);

  await jsm.consumers.add('MAIL', { durable_name: 'bench', ack_policy: AckPolicy.Explicit, filter_subject: 'mail.*.received' });
  const consumer = await js.consumers.get('MAIL', 'bench');
  const consumeStarted = performance.now();
  const messages = await consumer.consume({ max_messages: 256 });
  let seen = 0;
  for await (const message of messages) {
    message.ack();
    if (++seen === count) break;
  }
  const consumeSeconds = (performance.now() - consumeStarted) / 1000;
  console.log(`durable consume + ack: ${(count / consumeSeconds).toFixed(0)} events/s`);
  if (process.env.BENCH_RESULTS) {
    const lines = [
      { figure: 'jetstream-publish', value: count / publishSeconds },
      { figure: 'jetstream-consume', value: count / consumeSeconds },
    ];
    appendFileSync(process.env.BENCH_RESULTS, lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
  }
  await nc.close();
} finally {
  await nats.stop();
}
