/**
 * A token bucket per key (a scoped token's id), in this process: up to `perMinute` requests at once, refilled
 * continuously at `perMinute` per minute. Each replica of a service counts on its own, so N replicas allow N times
 * the rate in total; that bounds a runaway client without a shared store in the request path.
 */
export class TokenBucketRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly perMs: number;

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
    /** Above this many keys, those whose bucket is full again are forgotten (they are as good as new). */
    private readonly maxKeys = 10_000,
  ) {
    if (!Number.isFinite(perMinute) || perMinute < 1) throw new Error(`perMinute must be at least 1, not ${perMinute}`);
    this.perMs = perMinute / 60_000;
  }

  /** Takes one request: 0 when it may go ahead, otherwise the whole seconds (at least 1) until it may be tried again. */
  take(key: string): number {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.perMinute, at: now };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + (now - bucket.at) * this.perMs);
    bucket.at = now;
    if (!this.buckets.has(key)) {
      if (this.buckets.size >= this.maxKeys) this.forgetFull(now);
      this.buckets.set(key, bucket);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.perMs / 1000));
  }

  private forgetFull(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.at) * this.perMs >= this.perMinute) this.buckets.delete(key);
    }
  }
}
