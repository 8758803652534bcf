import { LaneScheduler, laneOf } from './lane-scheduler.js';

/** What the lanes need of a pulled event: a `JsMsg` has it all (the specs use fakes). */
export interface LanedEvent {
  readonly subject: string;
  readonly data: Uint8Array;
  readonly info: { readonly streamSequence: number };
  /** A `BACKLOG_HEADER` puts the event in its project's backlog lane. */
  readonly headers?: { get(name: string): string };
  working(): void;
  nak(): void;
}

export interface ProjectLanesOptions<T extends LanedEvent> {
  /** Projects whose events are handled at the same time. */
  maxConcurrentProjects: number;
  /** Events held at once, queued or being handled. */
  maxEvents: number;
  /** Bytes held at once (see `planPull`). */
  maxBytes: number;
  /** The most one event can take on the wire (the server's max_payload and some room for subject and reply). */
  largestEventBytes: number;
  /** How often queued events get their ack wait renewed: well within the consumer's ack wait. */
  leaseRenewalMs: number;
  /**
   * Handles an event to the end: resolves true once it is acked, nak'd or terminated, false when it is still held
   * (given up on because of close; `handBack` naks it with the others).
   */
  handle(event: T): Promise<boolean>;
  /** Consecutive events of one project that may be handled together by `handleBatch`; 1 (one at a time) by default. */
  maxBatch?: number;
  /**
   * Handles consecutive events of one project together, in their order; resolves with what `handle` would have
   * answered for each. Only called with two or more events, when `maxBatch` allows it.
   */
  handleBatch?(events: readonly T[]): Promise<boolean[]>;
  /** `handle` or `handleBatch` threw: the event (the batch's first) is in an unknown state. */
  failed(event: T, error: unknown): void;
}

/**
 * The events a consumer has pulled and not yet settled, handled in per-project lanes (see LaneScheduler).
 *
 * Ack wait: an event may wait in its lane far longer than the consumer's ack wait (a backlog of its project ahead
 * of it, or an outage holding the lane). Every queued event's lease is renewed (`working()`) every
 * `leaseRenewalMs`, so JetStream never redelivers it to another replica while it waits here; a short ack wait
 * keeps its meaning for the event being handled (a replica that died mid-handler is noticed). Pulling only what
 * fits in one ack wait instead would depend on handler times and outages this side cannot know.
 *
 * Memory: the window is bounded by `maxEvents` and `maxBytes`; pulls ask for no more than the room left (see
 * `planPull`).
 */
export class ProjectLanes<T extends LanedEvent> {
  private readonly scheduler: LaneScheduler<T>;
  /** Pulled and not settled: the bytes each one is counted for, and when its lease was last renewed. */
  private readonly held = new Map<T, { bytes: number; leasedAt: number }>();
  private readonly handling = new Set<T>();
  private heldBytes = 0;
  private stopped = false;
  private readonly roomWaiters = new Set<() => void>();
  private readonly leases: ReturnType<typeof setInterval>;

  constructor(private readonly options: ProjectLanesOptions<T>) {
    this.scheduler = new LaneScheduler<T>(options.maxConcurrentProjects);
    this.leases = setInterval(() => this.renewLeases(), options.leaseRenewalMs);
    this.leases.unref?.();
  }

  /** Takes a pulled event into its project's lane; handled at once if the lane and a slot are free. */
  add(event: T): void {
    const bytes = sizeOf(event);
    this.held.set(event, { bytes, leasedAt: Date.now() });
    this.heldBytes += bytes;
    this.scheduler.enqueue(laneOf(event.subject, event.headers), event);
    this.dispatch();
  }

  /** How many events the next pull may ask for; 0 while the window is full. */
  nextPull(): number {
    return planPull(
      { events: this.held.size, bytes: this.heldBytes },
      { maxEvents: this.options.maxEvents, maxBytes: this.options.maxBytes, largestEventBytes: this.options.largestEventBytes },
    );
  }

  /** Resolves when a held event is settled, which may make room for a pull, or at `stop`. */
  roomFreed(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => this.roomWaiters.add(resolve));
  }

  /** Closing: no further event is started; those being handled run to their end. */
  stop(): void {
    this.stopped = true;
    this.wakeRoomWaiters();
  }

  /**
   * Naks every held event that is not being handled, in stream order, so another replica (or this one, restarted)
   * takes them at once and in order. Call it only once the pulls are over on the server: nak'd into an open pull,
   * an event would be delivered into it again and sit out its ack wait there, behind the events after it.
   */
  handBack(): void {
    this.stop();
    clearInterval(this.leases);
    const events = [...this.held.keys()].filter((event) => !this.handling.has(event));
    events.sort((a, b) => a.info.streamSequence - b.info.streamSequence);
    for (const event of events) {
      this.forget(event);
      try {
        event.nak();
      } catch {
        // The connection is gone: the server redelivers it after its ack wait instead.
      }
    }
  }

  get size(): { events: number; bytes: number; busyProjects: number } {
    return { events: this.held.size, bytes: this.heldBytes, busyProjects: this.scheduler.busySize };
  }

  private dispatch(): void {
    if (this.stopped) return;
    for (let next = this.scheduler.take(); next; next = this.scheduler.take()) void this.run(next.lane, next.item);
  }

  private async run(lane: string, first: T): Promise<void> {
    // Events that queued up behind the lane's previous one go together: a backlog is worked through in batches,
    // while a single event is handled as soon as it arrives.
    const more = this.options.handleBatch ? this.scheduler.takeMore(lane, (this.options.maxBatch ?? 1) - 1) : [];
    const events = [first, ...more];
    let settled: boolean[];
    try {
      for (const event of events) {
        this.handling.add(event);
        // The handler gets the whole ack wait, as it would have had the event not waited in its lane.
        const leasedAt = this.held.get(event)?.leasedAt ?? 0;
        if (Date.now() - leasedAt > this.options.leaseRenewalMs / 10) event.working();
      }
      settled = events.length > 1 && this.options.handleBatch ? await this.options.handleBatch(events) : [await this.options.handle(first)];
    } catch (error) {
      this.options.failed(first, error);
      // Its state is unknown (an ack that could not be sent is redelivered after the ack wait): the events queued
      // behind it leave the window without a nak and without further leases, so JetStream redelivers them after
      // it, in order, as it did with a whole pull before lanes.
      settled = events.map(() => true);
      for (const behind of this.scheduler.drop(lane)) this.forget(behind);
    } finally {
      for (const event of events) this.handling.delete(event);
    }
    events.forEach((event, index) => {
      if (settled[index]) this.forget(event);
    });
    this.scheduler.release(lane);
    this.dispatch();
  }

  private forget(event: T): void {
    const entry = this.held.get(event);
    if (!entry) return;
    this.held.delete(event);
    this.heldBytes -= entry.bytes;
    this.wakeRoomWaiters();
  }

  private wakeRoomWaiters(): void {
    for (const wake of [...this.roomWaiters]) wake();
    this.roomWaiters.clear();
  }

  private renewLeases(): void {
    const now = Date.now();
    try {
      for (const event of this.scheduler.queued()) {
        event.working();
        const entry = this.held.get(event);
        if (entry) entry.leasedAt = now;
      }
    } catch {
      // Disconnected: nats.js buffers while reconnecting, and throws only once closed, when leases are moot.
    }
  }
}

/** Subject, reply subject and headers come on top of the payload; a fixed allowance is close enough for a bound. */
const EVENT_OVERHEAD_BYTES = 512;

function sizeOf(event: LanedEvent): number {
  return event.data.byteLength + event.subject.length + EVENT_OVERHEAD_BYTES;
}

/**
 * How many events the next pull may ask for: as many as would fit in the byte room even if each were as large as
 * the server allows, so the bytes held never exceed `maxBytes` while the count grows to `maxEvents` with events of
 * ordinary size (pull after pull). Pulls go by count because nats.js takes `max_messages` or `max_bytes`, not both,
 * and a `max_bytes` pull on nats-server 2.9 ends only when its heartbeats are missed (an error, two seconds late).
 * With nothing held, one event is always allowed, so a `maxBytes` below the largest event cannot stall the consumer.
 */
export function planPull(
  held: { events: number; bytes: number },
  limits: { maxEvents: number; maxBytes: number; largestEventBytes: number },
): number {
  const byCount = limits.maxEvents - held.events;
  const byBytes = Math.floor((limits.maxBytes - held.bytes) / limits.largestEventBytes);
  const events = Math.max(0, Math.min(byCount, byBytes));
  return events === 0 && held.events === 0 ? 1 : events;
}
