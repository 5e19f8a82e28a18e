/**
 * Dictionary encoding for one low-cardinality string column: each distinct string gets a small
 * integer code, so a column of 1M values is a 4 MB Int32Array and group-bys index plain arrays.
 * Code 0 is always the empty string ("not set").
 */
export class Dictionary {
  readonly values: string[] = [''];
  private readonly codes = new Map<string, number>([['', 0]]);

  /** The code of `value`, adding it when new. */
  encode(value: string): number {
    let code = this.codes.get(value);
    if (code === undefined) {
      code = this.values.length;
      this.values.push(value);
      this.codes.set(value, code);
    }
    return code;
  }

  /** The code of `value`, or -1 when it was never seen (so a filter on it matches nothing). */
  lookup(value: string): number {
    return this.codes.get(value) ?? -1;
  }

  get size(): number {
    return this.values.length;
  }
}
