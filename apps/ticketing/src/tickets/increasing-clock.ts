/**
 * Strictly increasing times for the messages one batch records (received mail, replies): a ticket lists its messages
 * by created_at, and a batch records several within one millisecond, where two messages of one ticket would fall into
 * the order of their random ids instead of the order they came in.
 */
export class IncreasingClock {
  private last = 0;

  constructor(private readonly clock: () => number = Date.now) {}

  now(): Date {
    this.last = Math.max(this.clock(), this.last + 1);
    return new Date(this.last);
  }
}
