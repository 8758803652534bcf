import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selfSignedCertificate, startNats, type NatsTestServer, type SelfSignedPair } from '@ensoras/testing';
import { connect, nkeys, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectNats } from './nats-connection.js';
import { natsConnectionOptions } from './nats-settings.js';

const dir = mkdtempSync(join(tmpdir(), 'nats-connection-'));

function configFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** The ways besides user and password that connectNats logs in, against nats-server configured for each. */
describe('connectNats', () => {
  let connection: NatsConnection | undefined;

  afterEach(async () => {
    await connection?.close();
    connection = undefined;
  });

  describe('with TLS and an NKey seed file', () => {
    let nats: NatsTestServer;
    let certificate: SelfSignedPair;
    const user = nkeys.createUser();
    const seedFile = join(dir, 'service.nk');

    beforeAll(async () => {
      certificate = await selfSignedCertificate();
      writeFileSync(seedFile, `${new TextDecoder().decode(user.getSeed())}\n`, { mode: 0o600 });
      const config = configFile(
        'tls-nkey.conf',
        `tls { cert_file: "${certificate.certPath}", key_file: "${certificate.keyPath}" }
         authorization { users: [ { nkey: ${user.getPublicKey()} } ] }`,
      );
      nats = await startNats({ configFile: config });
    });

    afterAll(() => nats?.stop());

    it('connects over TLS, trusting the given CA, and signs in with the seed', async () => {
      const url = `tls://127.0.0.1:${nats.port}`;
      connection = await connectNats({ NATS_URL: url, NATS_NKEY_SEED_FILE: seedFile, NATS_TLS_CA_FILE: certificate.certPath }, 'probe');
      expect(connection.info?.tls_required).toBe(true);
      await connection.flush();
    });

    it('refuses a server whose certificate it does not trust, and a client without the seed', async () => {
      const url = `tls://127.0.0.1:${nats.port}`;
      await expect(connect({ ...natsConnectionOptions({ NATS_URL: url, NATS_NKEY_SEED_FILE: seedFile }, 'probe'), reconnect: false })).rejects.toThrow(
        /certificate/i,
      );
      await expect(
        connect({ ...natsConnectionOptions({ NATS_URL: url, NATS_TLS_CA_FILE: certificate.certPath }, 'probe'), reconnect: false }),
      ).rejects.toThrow(/Authorization Violation/i);
    });
  });

  describe('with a token', () => {
    let nats: NatsTestServer;
    const token = `t${Date.now()}secret`;

    beforeAll(async () => {
      nats = await startNats({ configFile: configFile('token.conf', 'authorization { token: $PROBE_TOKEN }'), env: { PROBE_TOKEN: token } });
    });

    afterAll(() => nats?.stop());

    it('signs in with NATS_TOKEN and is refused with another', async () => {
      connection = await connectNats({ NATS_URL: nats.url, NATS_TOKEN: token }, 'probe');
      await connection.flush();
      await expect(connect({ ...natsConnectionOptions({ NATS_URL: nats.url, NATS_TOKEN: 'wrong' }, 'probe'), reconnect: false })).rejects.toThrow(
        /Authorization Violation/i,
      );
    });
  });
});
