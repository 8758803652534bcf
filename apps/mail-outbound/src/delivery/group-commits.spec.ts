import { describe, expect, it } from 'vitest';
import { GroupCommits } from './group-commits.js';

/** A write that records its groups and finishes only when told to. */
function heldWrites() {
  const groups: number[][] = [];
  const finish: Array<(error?: Error) => void> = [];
  const write = (group: readonly number[]) =>
    new Promise<void>((resolve, reject) => {
      groups.push([...group]);
      finish.push((error) => (error ? reject(error) : resolve()));
    });
  return { groups, finish, write };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('GroupCommits', () => {
  it('writes a lone item at once, without waiting for company', async () => {
    const { groups, finish, write } = heldWrites();
    const commits = new GroupCommits(write, 10);
    const written = commits.add(1);
    expect(groups).toEqual([[1]]);
    finish[0]!();
    await expect(written).resolves.toBeUndefined();
  });

  it('puts what arrives during a write into the next write, together, in arrival order', async () => {
    const { groups, finish, write } = heldWrites();
    const commits = new GroupCommits(write, 10);
    const first = commits.add(1);
    const later = [commits.add(2), commits.add(3), commits.add(4)];
    expect(groups).toEqual([[1]]);
    finish[0]!();
    await first;
    await turn();
    expect(groups).toEqual([[1], [2, 3, 4]]);
    finish[1]!();
    await Promise.all(later);
  });

  it('never writes more than maxGroup items at once', async () => {
    const { groups, finish, write } = heldWrites();
    const commits = new GroupCommits(write, 2);
    const all = [1, 2, 3, 4, 5, 6].map((item) => commits.add(item));
    for (let index = 0; index < 4; index++) {
      await turn();
      finish[index]?.();
    }
    await Promise.all(all);
    expect(groups).toEqual([[1], [2, 3], [4, 5], [6]]);
  });

  it("fails only the group whose write failed, and goes on with the next", async () => {
    const { groups, finish, write } = heldWrites();
    const commits = new GroupCommits(write, 10);
    const first = commits.add(1);
    const second = commits.add(2);
    finish[0]!(new Error('deadlock'));
    await expect(first).rejects.toThrow('deadlock');
    await turn();
    finish[1]!();
    await expect(second).resolves.toBeUndefined();
    expect(groups).toEqual([[1], [2]]);
  });

  it('starts writing again after falling idle', async () => {
    const { groups, finish, write } = heldWrites();
    const commits = new GroupCommits(write, 10);
    const first = commits.add(1);
    finish[0]!();
    await first;
    await turn();
    const second = commits.add(2);
    expect(groups).toEqual([[1], [2]]);
    finish[1]!();
    await second;
  });

  it('refuses a group size that is not a positive integer', () => {
    expect(() => new GroupCommits(async () => undefined, 0)).toThrow(RangeError);
  });
});
