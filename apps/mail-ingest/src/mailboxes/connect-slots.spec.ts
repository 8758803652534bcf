import { describe, expect, it } from 'vitest';
import { ConnectSlots } from './connect-slots.js';

function deferred() {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('ConnectSlots', () => {
  it('runs at most `limit` connects at once and the rest in the order they came', async () => {
    const slots = new ConnectSlots(2);
    const connects = [deferred(), deferred(), deferred(), deferred()];
    const started: number[] = [];
    const runs = connects.map((connect, index) => slots.run(() => (started.push(index), connect.promise)));
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect([slots.inUse, slots.queued]).toEqual([2, 2]);
    connects[1]!.resolve();
    await runs[1];
    await Promise.resolve();
    expect(started).toEqual([0, 1, 2]);
    connects[0]!.resolve();
    connects[2]!.resolve();
    await Promise.all([runs[0], runs[2]]);
    await Promise.resolve();
    expect(started).toEqual([0, 1, 2, 3]);
    connects[3]!.resolve();
    await runs[3];
    expect([slots.inUse, slots.queued]).toEqual([0, 0]);
  });

  it('frees the slot of a connect that fails, and passes its error on', async () => {
    const slots = new ConnectSlots(1);
    const failing = slots.run(() => Promise.reject(new Error('ECONNREFUSED')));
    const next = slots.run(() => Promise.resolve('logged in'));
    await expect(failing).rejects.toThrow('ECONNREFUSED');
    await expect(next).resolves.toBe('logged in');
    expect(slots.inUse).toBe(0);
  });

  it('refuses a limit that is not a positive integer', () => {
    expect(() => new ConnectSlots(0)).toThrow(RangeError);
    expect(() => new ConnectSlots(1.5)).toThrow(RangeError);
  });
});
