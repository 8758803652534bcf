/**
 * Writes items in groups, one write at a time: what arrives while a write runs waits for it and then goes in the
 * next one, together. Nothing waits for a timer or a fill level, so a lone item is written at once, and under load
 * one commit (one fsync) serves many items. Each item's promise settles with its group's write.
 */
export class GroupCommits<T> {
  private readonly waiting: Array<{ item: T; resolve: () => void; reject: (error: unknown) => void }> = [];
  private writing = false;

  constructor(
    private readonly write: (group: readonly T[]) => Promise<void>,
    /** Bounds one statement's size (its parameters) and how long a write holds its rows locked. */
    private readonly maxGroup: number,
  ) {
    if (!Number.isInteger(maxGroup) || maxGroup < 1) throw new RangeError(`a group holds a positive number of items, not ${maxGroup}`);
  }

  /** Resolves once the item's group is written; rejects with that write's error. */
  add(item: T): Promise<void> {
    const written = new Promise<void>((resolve, reject) => this.waiting.push({ item, resolve, reject }));
    if (!this.writing) void this.writeWhileWaiting();
    return written;
  }

  private async writeWhileWaiting(): Promise<void> {
    this.writing = true;
    try {
      while (this.waiting.length > 0) {
        const group = this.waiting.splice(0, this.maxGroup);
        try {
          await this.write(group.map(({ item }) => item));
          for (const { resolve } of group) resolve();
        } catch (error) {
          for (const { reject } of group) reject(error);
        }
      }
    } finally {
      this.writing = false;
    }
  }
}
