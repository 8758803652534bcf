import { createInbox, headers, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';

/** JetStream's answer to a write whose expected last revision did not match: the key moved on, or is gone. */
export class WrongRevisionError extends Error {
  constructor(description: string) {
    super(description);
    this.name = 'WrongRevisionError';
  }
}

/** No answer within the time limit: the write may or may not have landed. */
export class KvWriteTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`No answer from JetStream within ${timeoutMs} ms`);
    this.name = 'KvWriteTimeoutError';
  }
}

interface PendingWrite {
  resolve(revision: number): void;
  reject(error: Error): void;
  deadline: number;
}

interface PubAck {
  seq?: number;
  error?: { code?: number; err_code?: number; description?: string };
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/**
 * `kv.update(key, value, revision)` for many keys at a steady pace, at a fraction of its cost: each write is a plain
 * publish to the bucket's subject with the expected revision in a header, and every answer (JetStream's PubAck)
 * comes back on one subscription, matched by a counter at the end of the reply subject. kv.update makes a full
 * request per write (a mux entry, a timer, and two Error objects created up front for their stack traces); a replica
 * renewing a thousand mailbox leases spent most of its idle CPU there. Reply subjects start with the connection's
 * inbox prefix, which the service's NATS user may subscribe to (infra/nats/nats-server.conf).
 */
export class KvRevisionWriter {
  private readonly replyPrefix: string;
  private subscription: Subscription | null = null;
  private readonly pending = new Map<number, PendingWrite>();
  private sequence = 0;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly connection: NatsConnection,
    private readonly bucket: string,
    inboxPrefix: string,
    private readonly timeoutMs = 5_000,
  ) {
    this.replyPrefix = createInbox(inboxPrefix);
  }

  /** Writes `value` if the key's last revision is `revision`; resolves with the new revision. */
  update(key: string, value: string, revision: number): Promise<number> {
    this.subscribe();
    const id = ++this.sequence;
    return new Promise<number>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, deadline: Date.now() + this.timeoutMs });
      const expected = headers();
      expected.set('Nats-Expected-Last-Subject-Sequence', String(revision));
      try {
        this.connection.publish(`$KV.${this.bucket}.${key}`, encoder.encode(value), { reply: `${this.replyPrefix}.${id}`, headers: expected });
      } catch (error) {
        this.pending.delete(id);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  /** Stops listening; writes still waiting are rejected. */
  close(): void {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
    this.subscription?.unsubscribe();
    this.subscription = null;
    this.expire(Number.POSITIVE_INFINITY, () => new Error('The lease writer was closed'));
  }

  private subscribe(): void {
    if (this.subscription && !this.subscription.isClosed()) return;
    this.subscription = this.connection.subscribe(`${this.replyPrefix}.*`, { callback: (error, message) => this.answer(error, message) });
    // Answers that never come (a connection lost mid-write) end as timeouts; checked once a second, not per write.
    clearInterval(this.sweeper);
    this.sweeper = setInterval(() => this.expire(Date.now(), () => new KvWriteTimeoutError(this.timeoutMs)), 1_000);
    this.sweeper.unref();
  }

  private answer(error: Error | null, message: Msg): void {
    if (error) {
      // The subscription itself failed (a permissions error, the connection closed): every write waiting is lost.
      this.subscription = null;
      this.expire(Number.POSITIVE_INFINITY, () => error);
      return;
    }
    const id = Number(message.subject.slice(this.replyPrefix.length + 1));
    const write = this.pending.get(id);
    if (!write) return;
    this.pending.delete(id);
    if (message.headers?.hasError || message.data.length === 0) {
      // A status instead of a PubAck: 503 when no stream listens (JetStream unavailable).
      write.reject(new Error(`JetStream answered ${message.headers?.code ?? 'nothing'} ${message.headers?.description ?? ''}`.trim()));
      return;
    }
    let ack: PubAck;
    try {
      ack = JSON.parse(decoder.decode(message.data)) as PubAck;
    } catch {
      write.reject(new Error('JetStream answered with something other than a PubAck'));
      return;
    }
    if (ack.error) {
      const description = ack.error.description ?? `error ${ack.error.err_code ?? ack.error.code}`;
      write.reject(ack.error.err_code === 10071 || /wrong last sequence/i.test(description) ? new WrongRevisionError(description) : new Error(description));
    } else if (typeof ack.seq === 'number' && ack.seq > 0) {
      write.resolve(ack.seq);
    } else {
      write.reject(new Error('JetStream answered with a PubAck without a sequence'));
    }
  }

  private expire(before: number, reason: () => Error): void {
    for (const [id, write] of this.pending) {
      if (write.deadline > before) continue;
      this.pending.delete(id);
      write.reject(reason());
    }
  }
}
