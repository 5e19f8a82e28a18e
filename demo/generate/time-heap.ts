/**
 * A binary min-heap of items by time, then insertion order. Sessions overlap, so the generator
 * holds the next hour or so of events here and releases them in time order; insertion order breaks
 * ties so the output is the same on every run.
 */
export class TimeHeap<T> {
  private readonly items: { ts: number; seq: number; value: T }[] = [];
  private seq = 0;

  get size(): number {
    return this.items.length;
  }

  /** time of the earliest item, Infinity when empty */
  peekTime(): number {
    return this.items[0]?.ts ?? Infinity;
  }

  push(ts: number, value: T): void {
    const items = this.items;
    items.push({ ts, seq: this.seq++, value });
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }

  pop(): T | undefined {
    const items = this.items;
    if (items.length === 0) return undefined;
    const top = items[0]!;
    const last = items.pop()!;
    if (items.length > 0) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let min = i;
        if (l < items.length && this.less(l, min)) min = l;
        if (r < items.length && this.less(r, min)) min = r;
        if (min === i) break;
        [items[i], items[min]] = [items[min]!, items[i]!];
        i = min;
      }
    }
    return top.value;
  }

  private less(a: number, b: number): boolean {
    const x = this.items[a]!;
    const y = this.items[b]!;
    return x.ts < y.ts || (x.ts === y.ts && x.seq < y.seq);
  }
}
