import { Piscina } from 'piscina';
import { describe, expect, it } from 'vitest';
import { FairTaskQueue, inLane } from './fair-task-queue.js';

/** What piscina queues exposes the task's queue options under the symbol, as the marked task object itself does. */
type Queued = Parameters<FairTaskQueue['push']>[0] & { name: string };
const task = (lane: string, name: string): Queued => inLane({ name }, lane) as unknown as Queued;

const drain = (queue: FairTaskQueue) => {
  const names: string[] = [];
  for (let next = queue.shift(); next; next = queue.shift()) names.push((next as Queued).name);
  return names;
};

describe('FairTaskQueue', () => {
  it("lets another mailbox's single mail go next instead of behind a backlog, each mailbox in its order", () => {
    const queue = new FairTaskQueue();
    for (const n of [1, 2, 3, 4]) queue.push(task('A', `a${n}`));
    queue.push(task('B', 'b1'));
    expect(queue.size).toBe(5);
    expect(drain(queue)).toEqual(['a1', 'b1', 'a2', 'a3', 'a4']);
    expect(queue.size).toBe(0);
    expect(queue.shift()).toBeNull();
  });

  it('takes turns between lanes round-robin', () => {
    const queue = new FairTaskQueue();
    for (const name of ['a1', 'a2', 'a3']) queue.push(task('A', name));
    for (const name of ['b1', 'b2']) queue.push(task('B', name));
    queue.push(task('C', 'c1'));
    expect(drain(queue)).toEqual(['a1', 'b1', 'c1', 'a2', 'b2', 'a3']);
  });

  it('puts a task given back first again, and removes a task (aborted) from its lane', () => {
    const queue = new FairTaskQueue();
    const a1 = task('A', 'a1');
    const b1 = task('B', 'b1');
    const b2 = task('B', 'b2');
    for (const queued of [a1, b1, b2]) queue.push(queued);
    expect((queue.shift() as Queued).name).toBe('a1');
    queue.unshift(a1);
    queue.remove(b1);
    queue.remove(task('C', 'unknown'));
    expect(queue.size).toBe(2);
    expect(drain(queue)).toEqual(['a1', 'b2']);
  });

  it('puts tasks without a lane in a lane of their own', () => {
    const queue = new FairTaskQueue();
    queue.push({ [Piscina.queueOptionsSymbol]: null } as unknown as Queued);
    queue.push(task('A', 'a1'));
    expect(queue.size).toBe(2);
    expect(queue.shift()).toEqual({ [Piscina.queueOptionsSymbol]: null });
  });
});
