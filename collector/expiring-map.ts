/**
 * A bounded Map whose entries leave oldest first: when they expire, or when the map is full.
 * Callers re-insert an entry (`set`) whenever its expiry moves later, so the map stays ordered by
 * expiry and the sweep stops at the first live entry: every operation looks at O(1) entries
 * amortised, however many clients are tracked. (A full scan past a size threshold cost about 1 ms
 * per request at 100k entries, security review M3.)
 */
export class ExpiringMap<V> {
  private readonly entries = new Map<string, V>();

  constructor(
    private readonly maxEntries: number,
    /** whether `value` no longer carries information at `now`; must be monotonic in insertion order */
    private readonly expired: (value: V, now: number) => boolean,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** The live entry for `key`; the value may be changed in place if its expiry does not move. */
  get(key: string, now: number): V | undefined {
    this.sweep(now);
    const value = this.entries.get(key);
    if (value === undefined || !this.expired(value, now)) return value;
    this.entries.delete(key);
    return undefined;
  }

  /** Stores `value` as the newest entry; past `maxEntries` the oldest entry is dropped. */
  set(key: string, value: V, now: number): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    this.sweep(now);
    while (this.entries.size > this.maxEntries) {
      this.entries.delete(this.entries.keys().next().value!);
    }
  }

  private sweep(now: number): void {
    for (const [key, value] of this.entries) {
      if (!this.expired(value, now)) return;
      this.entries.delete(key);
    }
  }
}
