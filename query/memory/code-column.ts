/** The dictionary codes of one column: 16-bit while they fit, 32-bit after. */
export type Codes = Uint16Array | Int32Array;

const U16_MAX = 0xffff;

/**
 * A dictionary-code column that grows by doubling and starts as a Uint16Array, widening to an
 * Int32Array the first time a code does not fit. Most fields (kind, site, country, browser,
 * channel, UTM values…) never have 65,536 distinct values, so this halves their memory: about
 * 40 MB less at 1M records. Readers index `data` directly (first `length` entries).
 */
export class CodeColumn {
  data: Codes = new Uint16Array(1024);
  length = 0;

  push(code: number): void {
    if (code > U16_MAX && this.data instanceof Uint16Array) this.widen();
    if (this.length === this.data.length) this.reserve(this.length * 2);
    this.data[this.length++] = code;
  }

  reserve(capacity: number): void {
    if (capacity <= this.data.length) return;
    const next = this.data instanceof Uint16Array ? new Uint16Array(capacity) : new Int32Array(capacity);
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }

  /** Takes the first `length` codes as the column, in the narrowest type that holds `max`. */
  adopt(codes: Codes, length: number, max: number): void {
    const capacity = Math.max(1024, codes.length, length);
    const next = max > U16_MAX ? new Int32Array(capacity) : new Uint16Array(capacity);
    next.set(codes.subarray(0, length));
    this.data = next;
    this.length = length;
  }

  /** Reorders the first `length` entries so that entry i becomes old entry order[i]. */
  permute(order: Int32Array): void {
    const next =
      this.data instanceof Uint16Array ? new Uint16Array(this.data.length) : new Int32Array(this.data.length);
    for (let i = 0; i < order.length; i++) next[i] = this.data[order[i]!]!;
    this.data = next;
  }

  private widen(): void {
    const next = new Int32Array(this.data.length);
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }
}
