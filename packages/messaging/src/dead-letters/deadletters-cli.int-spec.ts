import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnvelope, defineEvent } from '@ensoras/contracts';
import { startNats, type NatsTestServer } from '@ensoras/testing';
import { ensureStreams } from '../connection/topology.js';
import { REPLAY_FOR_HEADER } from './dead-letters.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const Probe = defineEvent<{ n: number }>('ticket', 'probe');

/** `npm run deadletters` is this script; it needs packages/messaging built, as `npm test` does first. */
describe('npm run deadletters', () => {
  let nats: NatsTestServer;
  let client: NatsConnection;
  const cli = async (...args: string[]) =>
    (await promisify(execFile)(process.execPath, [join(root, 'infra', 'ops', 'deadletters.mjs'), ...args], { env: { ...process.env, NATS_URL: nats.url } })).stdout;

  beforeAll(async () => {
    nats = await startNats();
    client = await connect({ servers: nats.url });
    await ensureStreams(await jetstreamManager(client));
    for (const [n, consumer] of [[1, 'svc__ticket_any_probe'], [2, 'svc__ticket_any_other']] as const) {
      const failure = headers();
      failure.set('Ensoras-Error', 'connect ECONNREFUSED 127.0.0.1:5432');
      failure.set('Ensoras-Failure-Kind', 'exhausted');
      failure.set('Ensoras-Attempts', '5');
      failure.set('Ensoras-Consumer', consumer);
      const envelope = createEnvelope(Probe, `p${n}`, { n });
      await jetstream(client).publish(`deadletter.svc.${Probe.subject(`p${n}`)}`, JSON.stringify(envelope), { headers: failure });
    }
  });

  afterAll(async () => {
    await client?.close();
    await nats?.stop();
  });

  it('lists the dead letters of a service, or of one of its consumers', async () => {
    const all = await cli('list', 'svc');
    expect(all).toContain('ticket.p1.probe');
    expect(all).toContain('ticket.p2.probe');
    expect(all).toContain('connect ECONNREFUSED');
    const one = JSON.parse(await cli('list', 'svc__ticket_any_other', '--json')) as { subject: string }[];
    expect(one.map((letter) => letter.subject)).toEqual(['ticket.p2.probe']);
    expect((await cli('count', 'svc')).trim()).toBe('2');
  });

  it('replays them for that service only and removes them', async () => {
    expect(await cli('replay', 'svc__ticket_any_probe')).toContain('1 dead letter(s) replayed');
    expect(await cli('replay', 'svc')).toContain('1 dead letter(s) replayed');
    expect((await cli('count', 'svc')).trim()).toBe('0');
    const jsm = await jetstreamManager(client);
    const replayed = await jsm.streams.getMessage('TICKETS', { last_by_subj: Probe.subject('p2') });
    expect(replayed?.header.get(REPLAY_FOR_HEADER)).toBe('svc');
    expect(replayed?.json<{ payload: { n: number } }>().payload.n).toBe(2);
  });
});
