import { describe, expect, it } from 'vitest';
import { BACKLOG_HEADER, LaneScheduler, laneOf, projectOf } from './lane-scheduler.js';

/** Takes until nothing more can start; returns `lane:item` of each. */
function takeAll(scheduler: LaneScheduler<string>): string[] {
  const taken: string[] = [];
  for (let next = scheduler.take(); next; next = scheduler.take()) taken.push(`${next.lane}:${next.item}`);
  return taken;
}

describe('LaneScheduler', () => {
  it("hands out one project's events one at a time, in order", () => {
    const scheduler = new LaneScheduler<string>(8);
    for (const item of ['a1', 'a2', 'a3']) scheduler.enqueue('A', item);
    expect(takeAll(scheduler)).toEqual(['A:a1']);
    expect(scheduler.take()).toBeUndefined();
    scheduler.release('A');
    expect(takeAll(scheduler)).toEqual(['A:a2']);
    scheduler.release('A');
    expect(takeAll(scheduler)).toEqual(['A:a3']);
    scheduler.release('A');
    expect(scheduler.take()).toBeUndefined();
    expect(scheduler.queuedSize).toBe(0);
    expect(scheduler.busySize).toBe(0);
  });

  it("takes more of a busy lane's queued events in order, only of that lane and only while it is busy", () => {
    const scheduler = new LaneScheduler<string>(8);
    for (const item of ['a1', 'a2', 'a3', 'a4']) scheduler.enqueue('A', item);
    scheduler.enqueue('B', 'b1');
    expect(scheduler.takeMore('A', 5)).toEqual([]);
    expect(scheduler.take()).toEqual({ lane: 'A', item: 'a1' });
    expect(scheduler.takeMore('A', 2)).toEqual(['a2', 'a3']);
    expect(scheduler.queuedSize).toBe(2);
    scheduler.release('A');
    expect(takeAll(scheduler)).toEqual(['B:b1', 'A:a4']);
    expect(scheduler.takeMore('A', 5)).toEqual([]);
  });

  it('runs different projects at the same time, up to the cap', () => {
    const scheduler = new LaneScheduler<string>(2);
    for (const lane of ['A', 'B', 'C']) scheduler.enqueue(lane, `${lane.toLowerCase()}1`);
    expect(takeAll(scheduler)).toEqual(['A:a1', 'B:b1']);
    expect(scheduler.busySize).toBe(2);
    scheduler.release('B');
    expect(takeAll(scheduler)).toEqual(['C:c1']);
  });

  it("gives a project with one event its turn before the next of another project's backlog", () => {
    const scheduler = new LaneScheduler<string>(1);
    for (let i = 1; i <= 1000; i++) scheduler.enqueue('A', `a${i}`);
    expect(takeAll(scheduler)).toEqual(['A:a1']);
    scheduler.enqueue('B', 'b1');
    scheduler.release('A');
    expect(takeAll(scheduler)).toEqual(['B:b1']);
    scheduler.release('B');
    expect(takeAll(scheduler)).toEqual(['A:a2']);
  });

  it('takes turns round-robin when more projects wait than may run', () => {
    const scheduler = new LaneScheduler<string>(2);
    for (let i = 1; i <= 3; i++) for (const lane of ['A', 'B', 'C']) scheduler.enqueue(lane, `${lane.toLowerCase()}${i}`);
    const order: string[] = [];
    for (let busy = takeAll(scheduler); busy.length > 0 || scheduler.busySize > 0; ) {
      // Release the longest-running first, as handlers of equal length would finish.
      const [done, ...rest] = busy;
      order.push(done);
      scheduler.release(done.split(':')[0]);
      busy = [...rest, ...takeAll(scheduler)];
    }
    expect(order).toEqual(['A:a1', 'B:b1', 'C:c1', 'A:a2', 'B:b2', 'C:c2', 'A:a3', 'B:b3', 'C:c3']);
  });

  it('keeps a held lane busy without holding up the others', () => {
    const scheduler = new LaneScheduler<string>(2);
    scheduler.enqueue('A', 'a1');
    scheduler.enqueue('A', 'a2');
    expect(takeAll(scheduler)).toEqual(['A:a1']);
    // a1 is retried for as long as its dependency is down: A stays busy, B's events all pass.
    for (let i = 1; i <= 3; i++) {
      scheduler.enqueue('B', `b${i}`);
      expect(takeAll(scheduler)).toEqual([`B:b${i}`]);
      scheduler.release('B');
    }
    scheduler.release('A');
    expect(takeAll(scheduler)).toEqual(['A:a2']);
  });

  it("drops a lane's queued events in order and forgets the lane", () => {
    const scheduler = new LaneScheduler<string>(2);
    for (const item of ['a1', 'a2', 'a3']) scheduler.enqueue('A', item);
    scheduler.enqueue('B', 'b1');
    expect(takeAll(scheduler)).toEqual(['A:a1', 'B:b1']);
    expect(scheduler.drop('A')).toEqual(['a2', 'a3']);
    scheduler.release('A');
    expect(scheduler.take()).toBeUndefined();
    expect(scheduler.queuedSize).toBe(0);
    scheduler.enqueue('C', 'c1');
    scheduler.enqueue('C', 'c2');
    expect(scheduler.drop('C')).toEqual(['c1', 'c2']);
    scheduler.release('B');
    expect(scheduler.take()).toBeUndefined();
  });

  it('lists the queued events, not those being handled', () => {
    const scheduler = new LaneScheduler<string>(8);
    for (const item of ['a1', 'a2']) scheduler.enqueue('A', item);
    scheduler.enqueue('B', 'b1');
    scheduler.take();
    expect([...scheduler.queued()].sort()).toEqual(['a2', 'b1']);
  });

  it('keeps order through a long backlog (the queue compacts as it goes)', () => {
    const scheduler = new LaneScheduler<number>(1);
    const seen: number[] = [];
    for (let i = 0; i < 5000; i++) scheduler.enqueue('A', i);
    for (let next = scheduler.take(); next; next = scheduler.take()) {
      seen.push(next.item);
      if (next.item % 7 === 0) scheduler.enqueue('A', 10_000 + next.item);
      scheduler.release('A');
    }
    expect(seen.slice(0, 5000)).toEqual(Array.from({ length: 5000 }, (_, i) => i));
    expect(seen.slice(5000)).toEqual(Array.from({ length: 715 }, (_, i) => 10_000 + i * 7));
  });

  it('refuses a cap below one', () => {
    expect(() => new LaneScheduler(0)).toThrow(RangeError);
  });
});

describe('laneOf', () => {
  const headers = (values: Record<string, string>) => ({ get: (name: string) => values[name] ?? '' });
  it("puts an event in its project's lane, or its project's backlog lane when the header says so", () => {
    expect(laneOf('mail.p1.received', undefined)).toBe('p1');
    expect(laneOf('mail.p1.received', headers({}))).toBe('p1');
    expect(laneOf('mail.p1.received', headers({ [BACKLOG_HEADER]: '1' }))).toBe('p1 backlog');
  });
});

describe('projectOf', () => {
  it.each([
    ['mail.p1.received', 'p1'],
    ['ticket.p-2.message.created', 'p-2'],
    ['mail.p1', 'p1'],
    ['odd', 'odd'],
  ])('%s belongs to %s', (subject, project) => {
    expect(projectOf(subject)).toBe(project);
  });
});
