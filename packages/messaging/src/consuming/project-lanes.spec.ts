import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BACKLOG_HEADER } from './lane-scheduler.js';
import { planPull, ProjectLanes, type LanedEvent, type ProjectLanesOptions } from './project-lanes.js';

interface FakeEvent extends LanedEvent {
  readonly name: string;
  leases: number;
  naks: number;
}

let sequence = 0;
function event(project: string, name: string, bytes = 100, backlog = false): FakeEvent {
  const streamSequence = ++sequence;
  return {
    name,
    subject: `mail.${project}.received`,
    headers: backlog ? { get: (header: string) => (header === BACKLOG_HEADER ? '1' : '') } : undefined,
    data: new Uint8Array(bytes),
    info: { streamSequence },
    leases: 0,
    naks: 0,
    working() {
      this.leases++;
    },
    nak() {
      this.naks++;
    },
  };
}

/** A handler per event that the spec finishes by hand. */
class Handlers {
  readonly started: string[] = [];
  private readonly pending = new Map<string, (settled: boolean) => void>();

  handle = (event: FakeEvent): Promise<boolean> => {
    this.started.push(event.name);
    return new Promise((resolve) => this.pending.set(event.name, resolve));
  };

  async finish(name: string, settled = true): Promise<void> {
    const resolve = this.pending.get(name);
    if (!resolve) throw new Error(`${name} is not being handled`);
    this.pending.delete(name);
    resolve(settled);
    await flush();
  }
}

async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

function lanesWith(handlers: Handlers, options: Partial<ProjectLanesOptions<FakeEvent>> = {}): ProjectLanes<FakeEvent> {
  return new ProjectLanes<FakeEvent>({
    maxConcurrentProjects: 8,
    maxEvents: 100,
    maxBytes: 1_000_000,
    largestEventBytes: 10_000,
    leaseRenewalMs: 1_000,
    handle: handlers.handle,
    failed: () => undefined,
    ...options,
  });
}

describe('ProjectLanes', () => {
  let lanes: ProjectLanes<FakeEvent> | undefined;
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    lanes?.handBack();
    vi.useRealTimers();
  });

  it("starts another project's event while one project's backlog waits, and keeps each project's order", async () => {
    const handlers = new Handlers();
    lanes = lanesWith(handlers);
    for (let i = 1; i <= 3; i++) lanes.add(event('A', `a${i}`));
    lanes.add(event('B', 'b1'));
    expect(handlers.started).toEqual(['a1', 'b1']);
    await handlers.finish('a1');
    await handlers.finish('a2');
    expect(handlers.started).toEqual(['a1', 'b1', 'a2', 'a3']);
  });

  it("handles a project's new event beside its backlog, not behind it, and keeps each lane's order", async () => {
    const handlers = new Handlers();
    lanes = lanesWith(handlers);
    for (let i = 1; i <= 3; i++) lanes.add(event('A', `history${i}`, 100, true));
    lanes.add(event('A', 'new1'));
    lanes.add(event('A', 'new2'));
    expect(handlers.started).toEqual(['history1', 'new1']);
    await handlers.finish('new1');
    await handlers.finish('history1');
    expect(handlers.started).toEqual(['history1', 'new1', 'new2', 'history2']);
  });

  it('renews the leases of queued events only, until they are started', async () => {
    const handlers = new Handlers();
    lanes = lanesWith(handlers);
    const [a1, a2, a3] = [event('A', 'a1'), event('A', 'a2'), event('A', 'a3')];
    for (const e of [a1, a2, a3]) lanes.add(e);
    vi.advanceTimersByTime(3_000);
    expect([a1.leases, a2.leases, a3.leases]).toEqual([0, 3, 3]);
    vi.advanceTimersByTime(500);
    await handlers.finish('a1');
    // a2 starts half a renewal period after its last lease: renewed once more, so its handler has the full ack wait.
    expect([a1.leases, a2.leases, a3.leases]).toEqual([0, 4, 3]);
    vi.advanceTimersByTime(500);
    expect([a1.leases, a2.leases, a3.leases]).toEqual([0, 4, 4]);
  });

  it('plans pulls for the room left, and wakes the puller when an event is settled', async () => {
    const handlers = new Handlers();
    lanes = lanesWith(handlers, { maxEvents: 2, largestEventBytes: 1_000 });
    expect(lanes.nextPull()).toBe(2);
    lanes.add(event('A', 'a1'));
    lanes.add(event('A', 'a2'));
    expect(lanes.nextPull()).toBe(0);
    let woken = false;
    void lanes.roomFreed().then(() => (woken = true));
    await flush();
    expect(woken).toBe(false);
    await handlers.finish('a1');
    expect(woken).toBe(true);
    expect(lanes.nextPull()).toBe(1);
  });

  it('hands back every held event not being handled, in stream order, including one given back at close', async () => {
    const handlers = new Handlers();
    lanes = lanesWith(handlers);
    const a1 = event('A', 'a1');
    const b1 = event('B', 'b1');
    const a2 = event('A', 'a2');
    const b2 = event('B', 'b2');
    for (const e of [a1, b1, a2, b2]) lanes.add(e);
    lanes.stop();
    await handlers.finish('a1', false);
    await handlers.finish('b1');
    expect(handlers.started).toEqual(['a1', 'b1']);
    const naked: string[] = [];
    for (const e of [a1, b1, a2, b2]) e.nak = () => naked.push(e.name);
    lanes.handBack();
    expect(naked).toEqual(['a1', 'a2', 'b2']);
    expect(lanes.size.events).toBe(0);
  });

  it("lets a project's queued events go back to JetStream when its handler throws, and goes on with the others", async () => {
    const failed = vi.fn();
    const started: string[] = [];
    lanes = lanesWith(new Handlers(), {
      failed,
      handle: (e) => {
        started.push(e.name);
        return e.name === 'a1' ? Promise.reject(new Error('closed connection')) : Promise.resolve(true);
      },
    });
    const a2 = event('A', 'a2');
    lanes.add(event('A', 'a1'));
    lanes.add(a2);
    await flush();
    lanes.add(event('B', 'b1'));
    await flush();
    expect(started).toEqual(['a1', 'b1']);
    expect(failed).toHaveBeenCalledOnce();
    expect(lanes.size.events).toBe(0);
    vi.advanceTimersByTime(5_000);
    expect(a2.leases).toBe(0);
    expect(a2.naks).toBe(0);
  });
});

describe('ProjectLanes with a batch handler', () => {
  let lanes: ProjectLanes<FakeEvent> | undefined;
  afterEach(() => lanes?.handBack());

  /** Records each call (one name, or the names of a batch) and lets the spec settle it. */
  function batchLanes(maxBatch: number, answer: (names: string[]) => boolean[] = (names) => names.map(() => true)) {
    const calls: string[][] = [];
    const finishers: Array<() => void> = [];
    const record = (names: string[]) =>
      new Promise<boolean[]>((resolve) => {
        calls.push(names);
        finishers.push(() => resolve(answer(names)));
      });
    lanes = lanesWith(new Handlers(), {
      maxBatch,
      handle: async (e) => (await record([e.name]))[0]!,
      handleBatch: (events) => record(events.map((e) => e.name)),
    });
    const finishNext = async () => {
      finishers.shift()!();
      await flush();
    };
    return { lanes, calls, finishNext };
  }

  it("handles a single event at once and what queued behind it together, in order, up to maxBatch", async () => {
    const { lanes, calls, finishNext } = batchLanes(3);
    for (const name of ['a1', 'a2', 'a3', 'a4', 'a5', 'a6']) lanes.add(event('A', name));
    lanes.add(event('B', 'b1'));
    await flush();
    expect(calls).toEqual([['a1'], ['b1']]);
    await finishNext();
    expect(calls.at(-1)).toEqual(['a2', 'a3', 'a4']);
    await finishNext();
    await finishNext();
    expect(calls.at(-1)).toEqual(['a5', 'a6']);
    await finishNext();
    expect(lanes.size.events).toBe(0);
  });

  it('keeps the events the batch did not settle (closing) to be handed back with the rest, in stream order', async () => {
    const { lanes, finishNext } = batchLanes(5, (names) => names.map((name) => name !== 'a3'));
    const events = ['a1', 'a2', 'a3', 'a4'].map((name) => event('A', name));
    const naked: string[] = [];
    for (const e of events) {
      e.nak = () => naked.push(e.name);
      lanes.add(e);
    }
    await flush();
    await finishNext();
    await finishNext();
    expect(lanes.size.events).toBe(1);
    lanes.handBack();
    expect(naked).toEqual(['a3']);
  });
});

describe('planPull', () => {
  const limits = { maxEvents: 4096, maxBytes: 16 * 1024 * 1024, largestEventBytes: 1024 * 1024 };

  it('asks for as many events as would fit the byte room at the largest size', () => {
    expect(planPull({ events: 0, bytes: 0 }, limits)).toBe(16);
    expect(planPull({ events: 10, bytes: 15 * 1024 * 1024 - 1 }, limits)).toBe(1);
  });

  it('lets the count grow to the window while the events held are small', () => {
    expect(planPull({ events: 4000, bytes: 4000 * 2048 }, limits)).toBe(8);
    expect(planPull({ events: 4090, bytes: 4090 * 512 }, limits)).toBe(6);
  });

  it('does not pull when either bound is reached', () => {
    expect(planPull({ events: 4096, bytes: 0 }, limits)).toBe(0);
    expect(planPull({ events: 1, bytes: 15 * 1024 * 1024 + 1 }, limits)).toBe(0);
  });

  it('always lets one event in when nothing is held, whatever the byte bound', () => {
    expect(planPull({ events: 0, bytes: 0 }, { ...limits, maxBytes: 1024 })).toBe(1);
  });
});
