// How long project B's single event waits while project A has a backlog in the same consumer (issue #8, per-project
// lanes), on a private nats-server: with the transport's defaults, and configured as it was before lanes (8 events
// pulled at once, one handled at a time). Handlers take ~5 ms, as a short database transaction would. Not part of
// run.mjs: `npm run build` first, then `node infra/bench/jetstream-lanes.mjs` (BENCH_BACKLOG=2000 by default).
import { performance } from 'node:perf_hooks';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { createEnvelope, defineEvent } from '@ensoras/contracts';
import { ensureStreams, JetStreamServer } from '@ensoras/messaging';
import { startNats } from '@ensoras/testing';

const backlog = Number(process.env.BENCH_BACKLOG ?? 2000);
const handlerMs = 5;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const nats = await startNats();
try {
  const nc = await connect({ servers: nats.url });
  await ensureStreams(await jetstreamManager(nc));
  const js = jetstream(nc);
  let run = 0;

  /** Publishes `aEvents` for project A, then one for B, into a fresh consumer; returns B's wait and A's progress. */
  async function measure(aEvents, consumerOptions) {
    const Event = defineEvent('ticket', `lanes-bench-${++run}`);
    const done = { A: 0, B: 0 };
    let bHandledAt = 0;
    let aDoneWhenB = 0;
    let consumersReady;
    const ready = new Promise((resolve) => (consumersReady = resolve));
    const server = new JetStreamServer({
      connection: nc,
      durableName: `lanes-bench-${run}`,
      observer: { consumersReady },
      ...consumerOptions,
    });
    server.addHandler(
      Event.anyProject,
      async (envelope) => {
        await sleep(handlerMs);
        done[envelope.projectId]++;
        if (envelope.projectId === 'B') {
          bHandledAt = performance.now();
          aDoneWhenB = done.A;
        }
      },
      true,
    );
    server.listen(() => undefined);
    await ready;
    await Promise.all(Array.from({ length: aEvents }, (_, n) => js.publish(Event.subject('A'), JSON.stringify(createEnvelope(Event, 'A', { n })))));
    const bPublishedAt = performance.now();
    await js.publish(Event.subject('B'), JSON.stringify(createEnvelope(Event, 'B', { n: 0 })));
    while (done.B === 0) await sleep(1);
    const waited = bHandledAt - bPublishedAt;
    while (done.A < aEvents) await sleep(5);
    await server.close();
    return { waited, aDoneWhenB };
  }

  const before = { prefetch: 8, maxConcurrentProjects: 1 };
  const results = [
    ['lanes (defaults), no backlog', await measure(0, {})],
    [`lanes (defaults), A backlog ${backlog}`, await measure(backlog, {})],
    [`lanes, 4 MiB window (pulls of 3), A backlog ${backlog}`, await measure(backlog, { prefetchBytes: 4 * 1024 * 1024 })],
    [`lanes, 64 MiB window (pulls of 63), A backlog ${backlog}`, await measure(backlog, { prefetchBytes: 64 * 1024 * 1024 })],
    ['before lanes (prefetch 8, one at a time), no backlog', await measure(0, before)],
    [`before lanes (prefetch 8, one at a time), A backlog ${backlog}`, await measure(backlog, before)],
  ];
  for (const [label, { waited, aDoneWhenB }] of results) {
    console.log(`${label}: B waited ${waited.toFixed(0)} ms (${aDoneWhenB} of A's events done by then)`);
  }
  await nc.close();
} finally {
  await nats.stop();
}
