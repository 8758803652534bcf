/**
 * parseInboundMail in a pool of worker threads, with a time limit. Parsing is linear on every input we know of
 * (hostile-input.spec.ts), but one mail we do not know of must still not freeze the service: the event loop, its
 * other mailboxes, /health and the lease renewals go on while a worker parses, and a parse that runs over the limit
 * is ended by terminating its worker (ParseTimeoutError); the pool starts a fresh one.
 *
 * A worker runs JavaScript: the entry is this package's built dist/inbound/parse-worker.js. From the built package
 * that is the file beside this one; under vitest, which runs the TypeScript sources, it is the same file in dist,
 * so tests that parse through the pool build the package first (`npm run build -w @ensoras/mail`).
 */
import { existsSync } from 'node:fs';
import { MessageChannel } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { FairTaskQueue, inLane } from './fair-task-queue.js';
import type { InboundChannel, InboundMail, ParseInboundOptions } from './parse-inbound-mail.js';
import type { ParseTask } from './parse-worker.js';

export const DEFAULT_PARSE_TIMEOUT_MS = 10_000;

/** The reason a mail is quarantined with when its parse ran over the time limit. */
export const PARSE_TIMEOUT_REASON = 'parse_timeout';

export class ParseTimeoutError extends Error {
  readonly reason = PARSE_TIMEOUT_REASON;

  constructor(readonly timeoutMs: number) {
    super(`${PARSE_TIMEOUT_REASON}: parsing took longer than ${timeoutMs} ms`);
    this.name = 'ParseTimeoutError';
  }
}

export interface InboundParserPoolOptions {
  /** Longest a single parse may run (default 10 s). */
  timeoutMs?: number;
  /**
   * Worker threads at most (default 2). `idleThreads` (one by default) are kept ready, so the next mail need not
   * wait for a new one (also after one was ended for a timeout); the others start when mail queues up and end after a
   * minute idle: each costs about 30 MB, which a replica watching a thousand quiet mailboxes should not carry.
   */
  threads?: number;
  /**
   * Worker threads kept while no mail comes (default 1). 0 ends the last one too after IDLE_WORKER_MS without work,
   * saving its ~30 MB, and the next mail then waits for a fresh worker to load the parse modules: 0.7–1.4 s on a busy
   * 2-core machine (docs/benchmarks.md, "1,000 mailboxes, idle"), against a 700 ms latency target.
   */
  idleThreads?: 0 | 1;
}

/** The built worker entry; see the module comment. */
export function parseWorkerFile(): string {
  const here = fileURLToPath(import.meta.url);
  const file = here.endsWith('.ts')
    ? fileURLToPath(new URL('../../dist/inbound/parse-worker.js', import.meta.url))
    : fileURLToPath(new URL('./parse-worker.js', import.meta.url));
  if (!existsSync(file)) {
    throw new Error(`The mail parse worker ${file} does not exist: build @ensoras/mail first (npm run build -w @ensoras/mail)`);
  }
  return file;
}

/** How long a worker beyond the first stays without work before it ends. */
const IDLE_WORKER_MS = 60_000;

/**
 * A worker's young generation, in MB (V8's default on 64 bits is 48, three 16 MB semi-spaces). Parsing makes short-lived
 * garbage, and with the default the worker kept ready grew from ~36 MB to ~79 MB of RSS over 200 parses and stayed
 * there while idle; with 4 MB, 30 → 51 MB, at the same parse time (p50 2 ms for a small mail; docs/benchmarks.md).
 * Large objects (a big attachment) live outside the young generation, so this does not limit the size of a mail.
 */
const WORKER_YOUNG_GENERATION_MB = 4;

export class InboundParserPool {
  readonly timeoutMs: number;
  private readonly pool: Piscina<ParseTask, InboundMail>;

  /** Worker threads running now (for tests and metrics). */
  get threadCount(): number {
    return this.pool.threads.length;
  }

  constructor(options: InboundParserPoolOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_PARSE_TIMEOUT_MS;
    const threads = Math.max(1, options.threads ?? 2);
    this.pool = new Piscina({
      filename: parseWorkerFile(),
      minThreads: options.idleThreads ?? 1,
      maxThreads: threads,
      idleTimeout: IDLE_WORKER_MS,
      resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
      taskQueue: new FairTaskQueue(),
    });
  }

  /**
   * parseInboundMail(raw, channel, options) in a worker; rejects with ParseTimeoutError after the time limit.
   * `lane` (the mailbox): queued parses of one lane wait behind each other, lanes take turns (see FairTaskQueue).
   */
  async parse(raw: Buffer, channel: InboundChannel, options: ParseInboundOptions = {}, lane = ''): Promise<InboundMail> {
    const abort = new AbortController();
    const { port1, port2 } = new MessageChannel();
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    port1.once('message', () => {
      timer = setTimeout(() => {
        timedOut = true;
        abort.abort();
      }, this.timeoutMs);
    });
    try {
      const task: ParseTask = inLane({ raw: new Uint8Array(raw), channel: { ...channel }, options: { ...options }, started: port2 }, lane);
      return await this.pool.run(task, { signal: abort.signal, transferList: [port2] });
    } catch (error) {
      if (timedOut) throw new ParseTimeoutError(this.timeoutMs);
      throw error;
    } finally {
      clearTimeout(timer);
      port1.close();
    }
  }

  /** Ends the workers; parses still running are rejected. */
  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
