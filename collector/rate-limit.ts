import { createHash, randomBytes } from 'node:crypto';

/**
 * Per-client token bucket. Buckets are keyed by a hash of the IP under a per-process random key,
 * so even the memory of the collector never holds a list of raw addresses.
 */
export class RateLimiter {
  private buckets = new Map<string, { tokens: number; at: number }>();
  private readonly key = randomBytes(16);

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
  ) {}

  /** Returns 0 when the request may go ahead, else the seconds to wait. */
  take(ip: string, now: number): number {
    if (this.perSecond <= 0) return 0;
    const id = createHash('sha256').update(this.key).update(ip).digest('base64url').slice(0, 16);
    const bucket = this.buckets.get(id) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond);
    bucket.at = now;
    this.buckets.set(id, bucket);
    if (this.buckets.size > 100_000) this.evictFull(now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - bucket.tokens) / this.perSecond);
  }

  // Buckets that refilled completely carry no information; dropping them bounds memory under
  // floods from many addresses.
  private evictFull(now: number): void {
    for (const [id, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond >= this.burst) this.buckets.delete(id);
    }
  }
}
