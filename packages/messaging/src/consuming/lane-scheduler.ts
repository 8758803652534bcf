/**
 * Decides which event a consumer handles next when its events belong to many projects: one lane per project,
 * each lane strictly first in, first out and one event at a time (ticket threading depends on a project's order),
 * up to `maxBusy` lanes at once. Lanes take turns: a lane that has handled an event gets back in line behind the
 * lanes already waiting, so a project with a backlog of thousands never starves a project with one event.
 * Pure bookkeeping: it runs nothing and knows nothing of NATS.
 */
export class LaneScheduler<T> {
  private readonly queues = new Map<string, Fifo<T>>();
  private readonly busy = new Set<string>();
  /** Lanes with a queued event and none being handled, in the order of their turns. */
  private readonly turns = new Fifo<string>();
  private queuedCount = 0;

  constructor(private readonly maxBusy: number) {
    if (!Number.isInteger(maxBusy) || maxBusy < 1) throw new RangeError(`maxBusy must be a positive integer, not ${maxBusy}`);
  }

  enqueue(lane: string, item: T): void {
    let queue = this.queues.get(lane);
    if (!queue) {
      queue = new Fifo<T>();
      this.queues.set(lane, queue);
    }
    queue.push(item);
    this.queuedCount++;
    if (queue.length === 1 && !this.busy.has(lane)) this.turns.push(lane);
  }

  /**
   * The next event to handle, its lane now busy until `release`; undefined when `maxBusy` lanes are busy or no
   * idle lane has an event.
   */
  take(): { lane: string; item: T } | undefined {
    if (this.busy.size >= this.maxBusy) return undefined;
    const lane = this.turns.shift();
    if (lane === undefined) return undefined;
    const item = this.queues.get(lane)!.shift()!;
    this.queuedCount--;
    this.busy.add(lane);
    return { lane, item };
  }

  /**
   * Up to `max` more queued events of a lane already taken (busy), in order, to be handled together with the one
   * taken; the lane stays busy until `release`.
   */
  takeMore(lane: string, max: number): T[] {
    if (!this.busy.has(lane)) return [];
    const queue = this.queues.get(lane);
    const items: T[] = [];
    while (queue && items.length < max && queue.length > 0) items.push(queue.shift()!);
    this.queuedCount -= items.length;
    return items;
  }

  /** The lane's event is done with: its next event, if any, waits for its turn behind the lanes already in line. */
  release(lane: string): void {
    if (!this.busy.delete(lane)) return;
    const queue = this.queues.get(lane);
    if (queue && queue.length > 0) this.turns.push(lane);
    else this.queues.delete(lane);
  }

  /** Takes the lane's queued events out, in order (the one being handled, if any, stays busy until released). */
  drop(lane: string): T[] {
    const queue = this.queues.get(lane);
    if (!queue) return [];
    const items = queue.clear();
    this.queuedCount -= items.length;
    if (!this.busy.has(lane)) {
      this.queues.delete(lane);
      this.turns.remove(lane);
    }
    return items;
  }

  /** Every queued event (not those being handled), lane by lane. */
  *queued(): IterableIterator<T> {
    for (const queue of this.queues.values()) yield* queue;
  }

  get queuedSize(): number {
    return this.queuedCount;
  }

  get busySize(): number {
    return this.busy.size;
  }
}

/**
 * A NATS header that puts an event in its project's backlog lane: a mailbox's history, imported in bulk, is worked
 * through beside the project's new events instead of ahead of them. Order holds within each lane, not between the
 * two: a new mail may be handled before the older history published earlier.
 */
export const BACKLOG_HEADER = 'Ensoras-Backlog';

/** The lane of an event: its project, or its project's backlog (see BACKLOG_HEADER). */
export function laneOf(subject: string, headers: { get(name: string): string } | undefined): string {
  const project = projectOf(subject);
  return headers?.get(BACKLOG_HEADER) ? `${project} backlog` : project;
}

/** `mail.p1.received` → `p1`: subjects are `<area>.<projectId>.<event...>` (see defineEvent in contracts). */
export function projectOf(subject: string): string {
  const first = subject.indexOf('.');
  if (first < 0) return subject;
  const second = subject.indexOf('.', first + 1);
  return second < 0 ? subject.slice(first + 1) : subject.slice(first + 1, second);
}

/** A queue with O(1) shift: a lane may hold thousands of events, and Array#shift copies them on every call. */
class Fifo<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  remove(item: T): void {
    const rest = [...this].filter((candidate) => candidate !== item);
    this.items = rest;
    this.head = 0;
  }

  clear(): T[] {
    const items = [...this];
    this.items = [];
    this.head = 0;
    return items;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = this.head; i < this.items.length; i++) yield this.items[i] as T;
  }
}
