import { Piscina, type TaskQueue } from 'piscina';

type QueuedTask = Parameters<TaskQueue['push']>[0];

/** What a task tells the queue (piscina hands it over under `Piscina.queueOptionsSymbol`). */
export interface FairQueueOptions {
  /** Tasks of one lane (a mailbox) wait behind each other; lanes take turns. */
  lane: string;
}

/**
 * piscina's task queue with one lane per mailbox taking turns, instead of one first-in-first-out line: a mailbox
 * importing its backlog queues a hundred parses at once, and another mailbox's single new mail would otherwise wait
 * behind all of them (hundreds of milliseconds on a busy machine). Now it waits for the parses already running.
 * Within a lane the order is kept.
 */
export class FairTaskQueue implements TaskQueue {
  private readonly lanes = new Map<string, QueuedTask[]>();
  /** Lanes with a queued task, in the order of their turns. */
  private turns: string[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  push(task: QueuedTask): void {
    const lane = laneOf(task);
    const queue = this.lanes.get(lane);
    if (queue) queue.push(task);
    else {
      this.lanes.set(lane, [task]);
      this.turns.push(lane);
    }
    this.count++;
  }

  /** A task piscina took and gives back goes first again, in its lane and in the turns. */
  unshift(task: QueuedTask): void {
    const lane = laneOf(task);
    const queue = this.lanes.get(lane);
    if (queue) queue.unshift(task);
    else this.lanes.set(lane, [task]);
    this.turns = [lane, ...this.turns.filter((other) => other !== lane)];
    this.count++;
  }

  shift(): QueuedTask | null {
    const lane = this.turns.shift();
    if (lane === undefined) return null;
    const queue = this.lanes.get(lane)!;
    const task = queue.shift()!;
    this.count--;
    if (queue.length > 0) this.turns.push(lane);
    else this.lanes.delete(lane);
    return task;
  }

  remove(task: QueuedTask): void {
    const lane = laneOf(task);
    const queue = this.lanes.get(lane);
    const index = queue?.indexOf(task) ?? -1;
    if (!queue || index < 0) return;
    queue.splice(index, 1);
    this.count--;
    if (queue.length === 0) {
      this.lanes.delete(lane);
      this.turns = this.turns.filter((other) => other !== lane);
    }
  }
}

/** Marks a task object for FairTaskQueue; the mark is not sent to the worker (symbol keys are not cloned). */
export function inLane<T extends object>(task: T, lane: string): T {
  return Object.assign(task, { [Piscina.queueOptionsSymbol]: { lane } satisfies FairQueueOptions });
}

function laneOf(task: QueuedTask): string {
  const options = (task as unknown as Record<symbol, Partial<FairQueueOptions> | null | undefined>)[Piscina.queueOptionsSymbol];
  return options?.lane ?? '';
}
