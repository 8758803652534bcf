import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { findExecutable } from './executables.js';
import { NATS_USERS, type NatsUser } from './locked-nats.js';
import { readyOrExited, startManagedProcess, type ManagedProcess } from './managed-process.js';
import { freePort, waitForPortUntil } from './ports.js';
import { makeTempDir, removeTempDir } from './temp-dirs.js';
import { eventually } from './wait.js';

// packages/testing/{src,dist}/ → the repository root.
const CLUSTER_CONFIG = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'infra', 'nats', 'cluster', 'nats-cluster.conf');
const STARTUP_TIMEOUT_MS = 15_000;
// freePort() cannot reserve a port: another process may take one of the six before the servers bind.
const CLUSTER_ATTEMPTS = 3;

/** One nats-server of the cluster. */
export interface NatsClusterNode {
  /** Its server_name, `n1`, `n2`, …: what `cluster.leader` of a stream's info names. */
  name: string;
  url: string;
  port: number;
  running(): boolean;
  /** SIGKILL: the server crashes with whatever it had not flushed; start() brings it back. */
  kill(): Promise<void>;
  /** Starts a killed server again on its ports and store dir; it rejoins the cluster and catches up. */
  start(): Promise<void>;
}

/** Where a stream lives: its leader and replicas as the cluster reports them ($JS.API.STREAM.INFO). */
export interface StreamPlacement {
  leader: string;
  replicas: { name: string; current: boolean; offline?: boolean }[];
}

/** nats-servers clustered on loopback with infra/nats/cluster/nats-cluster.conf (the production users and permissions). */
export interface LockedNatsCluster {
  nodes: NatsClusterNode[];
  /** The NATS_* variables a process needs to log in as `user`, with every node in NATS_URL. */
  login(user: NatsUser): { NATS_URL: string; NATS_USER: string; NATS_PASSWORD: string };
  node(name: string): NatsClusterNode;
  /** Asks a live node (as `ops`) where a stream or bucket's stream (`KV_<bucket>`, `OBJ_<store>`) lives. */
  placement(stream: string): Promise<StreamPlacement>;
  /** Resolves once every replica of each stream is current: a restarted node has caught up. */
  whenCurrent(streams: string[], timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Starts `size` (3 by default) clustered nats-servers with JetStream, each with its own ports, name and store dir. */
export async function startLockedNatsCluster(size = 3): Promise<LockedNatsCluster> {
  const binary = await findExecutable('nats-server', ['/usr/sbin/nats-server', '/usr/bin/nats-server'], 'apt-get install -y nats-server');
  // nats-server parses the variables as config values: a letter first, then letters and digits.
  const passwords = Object.fromEntries(NATS_USERS.map((user) => [user, `p${randomBytes(18).toString('hex')}`])) as Record<NatsUser, string>;
  const routePassword = `r${randomBytes(18).toString('hex')}`;
  for (let attempt = 1; ; attempt++) {
    const nodes: ClusterNode[] = [];
    try {
      const ports = await Promise.all(Array.from({ length: size }, async () => ({ client: await freePort(), cluster: await freePort() })));
      const routes = Object.fromEntries(ports.map((p, i) => [`NATS_ROUTE_${i + 1}`, `nats://route:${routePassword}@127.0.0.1:${p.cluster}`]));
      for (const [i, port] of ports.entries()) {
        const env = {
          ...Object.fromEntries(NATS_USERS.map((user) => [`NATS_${user.toUpperCase().replace(/-/g, '_')}_PASSWORD`, passwords[user]])),
          ...routes,
          NATS_CLUSTER_PASSWORD: routePassword,
          NATS_SERVER_NAME: `n${i + 1}`,
        };
        nodes.push(new ClusterNode(binary, `n${i + 1}`, port.client, port.cluster, await makeTempDir('ens-natsc'), env));
      }
      // Together: each waits for the others' routes before its JetStream is ready.
      await Promise.all(nodes.map((node) => node.start()));
      const cluster = lockedCluster(nodes, passwords);
      await cluster.whenMetaLeader();
      return cluster;
    } catch (error) {
      await Promise.all(nodes.map((node) => node.stop()));
      if (attempt >= CLUSTER_ATTEMPTS || !/address already in use/i.test(String(error))) throw error;
    }
  }
}

function lockedCluster(nodes: ClusterNode[], passwords: Record<NatsUser, string>): LockedNatsCluster & { whenMetaLeader(): Promise<void> } {
  const url = nodes.map((node) => node.url).join(',');
  // One connection as `ops` for every question, reconnecting to another node when its own dies: on a loaded machine
  // a fresh login per question can take longer than the server's authentication timeout.
  let ops: Promise<NatsConnection> | undefined;
  const asOps = async <T>(work: (connection: NatsConnection) => Promise<T>): Promise<T> => {
    ops ??= connect({
      servers: nodes.map((node) => node.url),
      user: 'ops',
      pass: passwords.ops,
      inboxPrefix: '_INBOX.ops',
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
    });
    ops.catch(() => (ops = undefined));
    return work(await ops);
  };
  const jsApi = (subject: string) =>
    asOps(async (connection) => {
      const reply = (await connection.request(subject, '', { timeout: 3_000 })).json<{ error?: { description: string } } & Record<string, unknown>>();
      if (reply.error) throw new Error(`${subject}: ${reply.error.description}`);
      return reply;
    });
  const placement = async (stream: string): Promise<StreamPlacement> => {
    const info = (await jsApi(`$JS.API.STREAM.INFO.${stream}`)) as { cluster?: { leader?: string; replicas?: StreamPlacement['replicas'] } };
    if (!info.cluster?.leader) throw new Error(`${stream} has no leader`);
    return { leader: info.cluster.leader, replicas: info.cluster.replicas ?? [] };
  };
  return {
    nodes,
    login: (user) => ({ NATS_URL: url, NATS_USER: user, NATS_PASSWORD: passwords[user] }),
    node(name) {
      const found = nodes.find((node) => node.name === name);
      if (!found) throw new Error(`No node ${name} (nodes: ${nodes.map((node) => node.name).join(', ')})`);
      return found;
    },
    placement,
    async whenCurrent(streams, timeoutMs = 60_000) {
      await eventually(
        async () => {
          for (const stream of streams) {
            const { replicas } = await placement(stream);
            if (replicas.length < nodes.length - 1 || replicas.some((replica) => !replica.current || replica.offline)) return false;
          }
          return true;
        },
        { timeoutMs, intervalMs: 500, message: `the replicas of ${streams.join(', ')} did not catch up` },
      );
    },
    async whenMetaLeader() {
      // $JS.API.INFO answers once the JetStream meta group has a leader, i.e. streams can be created.
      await eventually(() => jsApi('$JS.API.INFO').then(() => true), { timeoutMs: STARTUP_TIMEOUT_MS, intervalMs: 250, message: 'the NATS cluster elected no JetStream leader' });
    },
    async stop() {
      await (await ops?.catch(() => undefined))?.close();
      await Promise.all(nodes.map((node) => node.stop()));
    },
  };
}

class ClusterNode implements NatsClusterNode {
  readonly url: string;
  private process: ManagedProcess | undefined;

  constructor(
    private readonly binary: string,
    readonly name: string,
    readonly port: number,
    private readonly clusterPort: number,
    private readonly storeDir: string,
    private readonly env: Record<string, string>,
  ) {
    this.url = `nats://127.0.0.1:${port}`;
  }

  running(): boolean {
    return this.process !== undefined && !this.process.hasExited();
  }

  async start(): Promise<void> {
    if (this.running()) throw new Error(`nats-server ${this.name} is still running`);
    // Command-line flags override the file's listen addresses (production: 0.0.0.0:4222 and 0.0.0.0:6222).
    const args = ['-c', CLUSTER_CONFIG, '-a', '127.0.0.1', '-p', String(this.port), '--cluster', `nats://127.0.0.1:${this.clusterPort}`, '-js', '-sd', this.storeDir];
    const server = startManagedProcess(this.binary, args, { env: this.env });
    this.process = server;
    try {
      await readyOrExited(server, `nats-server ${this.name}`, (signal) => waitForPortUntil(this.port, '127.0.0.1', STARTUP_TIMEOUT_MS, signal));
    } catch (error) {
      await server.stop();
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`nats-server ${this.name} failed to start on port ${this.port}: ${reason}\n${server.output()}`.trim(), { cause: error });
    }
  }

  async kill(): Promise<void> {
    await this.process?.kill();
  }

  async stop(): Promise<void> {
    await this.process?.stop();
    await removeTempDir(this.storeDir);
  }
}
