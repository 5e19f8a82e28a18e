import {
  RECORD_FIELDS,
  RECORD_KINDS,
  emptyRecord,
  type FieldName,
  type PropValue,
  type RecordKind,
  type StoredRecord,
} from '../../storage/schema.ts';
import { CodeColumn } from './code-column.ts';
import { Dictionary } from './dictionary.ts';
import { Growable } from './growable.ts';

type DictField = { [K in FieldName]: (typeof RECORD_FIELDS)[K] extends 'dict' ? K : never }[FieldName];
type IntField = { [K in FieldName]: (typeof RECORD_FIELDS)[K] extends 'int' ? K : never }[FieldName];

export const DICT_FIELDS = Object.keys(RECORD_FIELDS).filter(
  (k) => RECORD_FIELDS[k as FieldName] === 'dict',
) as DictField[];
export const INT_FIELDS = Object.keys(RECORD_FIELDS).filter(
  (k) => RECORD_FIELDS[k as FieldName] === 'int',
) as IntField[];

/** Kind codes are fixed (the kind dictionary is seeded in RECORD_KINDS order). */
export const KIND_CODE: Record<RecordKind, number> = { pageview: 1, engagement: 2, action: 3, share: 4 };

const NO_PROPS: Record<string, PropValue> = Object.freeze({}) as Record<string, PropValue>;

/**
 * The records as columns, one per field of RECORD_FIELDS: dictionary codes (16 or 32 bits, see
 * code-column.ts) for strings, Int32Array for integers, Float64Array for the time, and a plain array for props
 * (most records have none and share one frozen empty object). About 130 bytes per record.
 */
export class Columns {
  readonly ts = new Growable(Float64Array);
  readonly dict = {} as Record<DictField, CodeColumn>;
  readonly dicts = {} as Record<DictField, Dictionary>;
  readonly ints = {} as Record<IntField, Growable<Int32Array>>;
  props: Record<string, PropValue>[] = [];

  constructor() {
    for (const field of DICT_FIELDS) {
      this.dict[field] = new CodeColumn();
      this.dicts[field] = new Dictionary();
    }
    for (const kind of RECORD_KINDS) this.dicts.kind.encode(kind);
    for (const field of INT_FIELDS) this.ints[field] = new Growable(Int32Array);
  }

  get length(): number {
    return this.ts.length;
  }

  push(record: StoredRecord): void {
    this.ts.push(record.ts);
    for (const field of DICT_FIELDS) {
      const value = record[field];
      // Most fields of most records are empty (code 0): skip the hash lookup for them.
      this.dict[field].push(value === '' ? 0 : this.dicts[field].encode(value));
    }
    for (const field of INT_FIELDS) this.ints[field].push(record[field] | 0);
    this.props.push(Object.keys(record.props).length ? record.props : NO_PROPS);
  }

  /** The string value of a dictionary column at row i. */
  text(field: DictField, i: number): string {
    return this.dicts[field].values[this.dict[field].data[i]!]!;
  }

  /** Rebuilds row i as a record (for event lists and rebuilds). */
  record(i: number): StoredRecord {
    const record = emptyRecord(this.text('kind', i) as RecordKind, this.ts.data[i]!, this.text('site', i));
    for (const field of DICT_FIELDS) (record as Record<string, unknown>)[field] = this.text(field, i);
    for (const field of INT_FIELDS) record[field] = this.ints[field].data[i]!;
    record.props = this.props[i]!;
    return record;
  }

  /** Sorts rows by ts; stable, so records stored together keep their order. */
  sortByTime(): void {
    const n = this.length;
    const ts = this.ts.data;
    const order = Int32Array.from({ length: n }, (_, i) => i);
    order.sort((a, b) => ts[a]! - ts[b]! || a - b);
    this.ts.permute(order);
    for (const field of DICT_FIELDS) this.dict[field].permute(order);
    for (const field of INT_FIELDS) this.ints[field].permute(order);
    const props = this.props;
    this.props = Array.from(order, (i) => props[i]!);
  }
}
