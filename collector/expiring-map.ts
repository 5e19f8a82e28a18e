/**
 * A bounded Map whose entries leave oldest first: when they expire, or when the map is full.
 * Callers re-insert an entry (`set`) whenever its expiry moves later, so insertion order is expiry
 * order and the sweep stops at the first live entry: every operation looks at O(1) entries
 * amortised, however many clients are tracked. (A full scan past a size threshold cost about 1 ms
 * per request at 100k entries, security review M3.)
 *
 * The order is kept in an array queue rather than by iterating the Map from its start: V8 leaves
 * deleted Map entries as holes until the next rehash, so a fresh iterator would walk past every
 * entry deleted since, which made oldest-first eviction O(n) again. Queue items of keys set again
 * later are stale and skipped; the queue is compacted once stale items outnumber live ones.
 */
export class ExpiringMap<V> {
  private readonly entries = new Map<string, { value: V; seq: number }>();
  private queue: { key: string; seq: number }[] = [];
  private head = 0;
  private seq = 0;

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
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (!this.expired(entry.value, now)) return entry.value;
    this.entries.delete(key);
    return undefined;
  }

  /** Stores `value` as the newest entry; past `maxEntries` the oldest entry is dropped. */
  set(key: string, value: V, now: number): void {
    this.seq += 1;
    this.entries.set(key, { value, seq: this.seq });
    this.queue.push({ key, seq: this.seq });
    this.sweep(now);
    while (this.entries.size > this.maxEntries) this.dropOldest();
    if (this.queue.length - this.head > 2 * this.entries.size + 1024) this.compact();
  }

  private isLive(item: { key: string; seq: number }): boolean {
    return this.entries.get(item.key)?.seq === item.seq;
  }

  private sweep(now: number): void {
    while (this.head < this.queue.length) {
      const item = this.queue[this.head]!;
      const entry = this.entries.get(item.key);
      if (entry !== undefined && entry.seq === item.seq) {
        if (!this.expired(entry.value, now)) break;
        this.entries.delete(item.key);
      }
      this.head += 1;
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) this.compact();
  }

  private dropOldest(): void {
    while (this.head < this.queue.length) {
      const item = this.queue[this.head]!;
      this.head += 1;
      if (this.isLive(item)) {
        this.entries.delete(item.key);
        return;
      }
    }
  }

  private compact(): void {
    this.queue = this.queue.slice(this.head).filter((item) => this.isLive(item));
    this.head = 0;
  }
}
