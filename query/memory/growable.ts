type TypedArray = Int32Array | Float64Array;
type Ctor<T extends TypedArray> = { new (length: number): T };

/**
 * A typed-array column that grows by doubling, so appends are amortised O(1) and readers index
 * `data` directly (only the first `length` entries are meaningful).
 */
export class Growable<T extends TypedArray> {
  data: T;
  length = 0;

  constructor(
    private readonly ctor: Ctor<T>,
    capacity = 1024,
  ) {
    this.data = new ctor(capacity);
  }

  push(value: number): void {
    if (this.length === this.data.length) this.reserve(this.length * 2);
    this.data[this.length++] = value;
  }

  reserve(capacity: number): void {
    if (capacity <= this.data.length) return;
    const next = new this.ctor(capacity);
    next.set(this.data.subarray(0, this.length) as never);
    this.data = next;
  }

  /** Reorders the first `length` entries so that entry i becomes old entry order[i]. */
  permute(order: Int32Array): void {
    const next = new this.ctor(this.data.length);
    for (let i = 0; i < order.length; i++) next[i] = this.data[order[i]!]!;
    this.data = next;
  }

  /** Keeps only the entries whose `keep` flag is set, in order. */
  compact(keep: Uint8Array): void {
    let j = 0;
    for (let i = 0; i < this.length; i++) if (keep[i]) this.data[j++] = this.data[i]!;
    this.length = j;
  }
}
