import { createHash, randomBytes } from 'node:crypto';
import { ExpiringMap } from './expiring-map.ts';
import { limiterKey } from './ip.ts';

/** Default bound on tracked clients: about 100 bytes each, so ~10 MB at most. */
export const MAX_TRACKED_CLIENTS = 100_000;

/**
 * The key a limiter tracks a client by: a hash of its address (IPv6 by /64) under a per-process
 * random key, so even the memory of the collector never holds a list of raw addresses.
 */
export function clientKeyer(): (ip: string) => string {
  const key = randomBytes(16);
  return (ip) => createHash('sha256').update(key).update(limiterKey(ip)).digest('base64url').slice(0, 16);
}

/**
 * Per-client token bucket. A bucket that refilled completely carries no information, so it
 * expires; each take moves its bucket to the newest end, which keeps the map ordered by expiry.
 * Past `maxClients` the least recently seen client is forgotten (it gets a full bucket again).
 */
export class RateLimiter {
  private readonly buckets: ExpiringMap<{ tokens: number; at: number }>;
  private readonly id = clientKeyer();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    maxClients = MAX_TRACKED_CLIENTS,
  ) {
    const refillMs = (burst / Math.max(perSecond, 1e-9)) * 1000;
    this.buckets = new ExpiringMap(maxClients, (bucket, now) => now - bucket.at >= refillMs);
  }

  /** Clients currently tracked (bounded by maxClients). */
  get size(): number {
    return this.buckets.size;
  }

  /** Returns 0 when the request may go ahead, else the seconds to wait. */
  take(ip: string, now: number): number {
    if (this.perSecond <= 0) return 0;
    const id = this.id(ip);
    const bucket = this.buckets.get(id, now) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond);
    bucket.at = now;
    this.buckets.set(id, bucket, now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - bucket.tokens) / this.perSecond);
  }
}
