/**
 * Seeded randomness for the generator. Math.random is never used: the same seed must give the
 * same dataset on every machine, so benchmarks and tests can be compared run to run.
 */

/** A 32-bit hash of integers (murmur3's finaliser chained), used to derive per-person streams. */
export function hash32(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    h = Math.imul(h ^ (part | 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** 16 lower-case hex characters from two hashes, the shape of a collector visitor id. */
export function hex16(...parts: number[]): string {
  const a = hash32(...parts, 1)
    .toString(16)
    .padStart(8, '0');
  const b = hash32(...parts, 2)
    .toString(16)
    .padStart(8, '0');
  return a + b;
}

/** mulberry32: tiny, fast and good enough for synthetic traffic (not for anything secret). */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = hash32(seed) || 1;
  }

  /** uniform in [0, 1) */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** integer in [0, n) */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** integer in [min, max] */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  /** log-normal with the given median; dwell times and file counts have this long tail */
  logNormal(median: number, sigma: number): number {
    const u = 1 - this.next();
    const v = this.next();
    const gauss = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    return median * Math.exp(sigma * gauss);
  }

  /** number of extra trials before a failure with continue-probability p (geometric) */
  geometric(p: number, max: number): number {
    let n = 0;
    while (n < max && this.next() < p) n += 1;
    return n;
  }

  /** lower-case base-36 code, like the short links CloudFace creates */
  code(length: number): string {
    let out = '';
    for (let i = 0; i < length; i += 1) out += this.int(36).toString(36);
    return out;
  }
}

/** Picks items by weight in O(log n) with a cumulative table built once. */
export class Weighted<T> {
  private readonly cumulative: number[] = [];
  private readonly total: number;

  constructor(
    readonly items: readonly T[],
    weights: readonly number[],
  ) {
    let sum = 0;
    for (const w of weights) this.cumulative.push((sum += w));
    this.total = sum;
  }

  /** Zipf weights 1/rank^s over items already ordered by popularity. */
  static zipf<T>(items: readonly T[], s = 1): Weighted<T> {
    return new Weighted(
      items,
      items.map((_, i) => 1 / Math.pow(i + 1, s)),
    );
  }

  pick(random: Random): T {
    const target = random.next() * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative[mid]! > target) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo]!;
  }
}
