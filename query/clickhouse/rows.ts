import {
  RECORD_FIELDS,
  emptyRecord,
  type FieldName,
  type PropValue,
  type RecordKind,
  type StoredRecord,
} from '../../storage/schema.ts';
import { PROP_KEYS, PROP_NUMERIC, PROP_VALUES } from './ddl.ts';

/** One events-table row as JSONEachRow sends and returns it. */
export type EventRow = Record<string, string | number | string[] | number[]>;

/** A record as a row: props as exact JSON text plus key/value arrays SQL can filter on. */
export function toRow(record: StoredRecord): EventRow {
  const row: EventRow = {};
  for (const key in RECORD_FIELDS) {
    const value = record[key as FieldName];
    row[key] = typeof value === 'object' ? propsText(value) : value;
  }
  const keys = Object.keys(record.props);
  row[PROP_KEYS] = keys;
  row[PROP_VALUES] = keys.map((k) => String(record.props[k]));
  row[PROP_NUMERIC] = keys.map((k) => (typeof record.props[k] === 'number' ? 1 : 0));
  return row;
}

function propsText(props: Record<string, PropValue>): string {
  return Object.keys(props).length === 0 ? '' : JSON.stringify(props);
}

/** A row read back with the record columns (UInt64 may arrive as a string on some servers). */
export function fromRow(row: Record<string, unknown>): StoredRecord {
  const record = emptyRecord(row.kind as RecordKind, Number(row.ts), String(row.site));
  const target = record as Record<string, unknown>;
  for (const key in RECORD_FIELDS) {
    const type = RECORD_FIELDS[key as FieldName];
    const value = row[key];
    if (value === undefined) continue;
    if (type === 'time' || type === 'int') target[key] = Number(value);
    else if (type === 'dict') target[key] = String(value);
    else if (type === 'props' && typeof value === 'string' && value !== '') record.props = parseProps(value);
  }
  return record;
}

function parseProps(text: string): Record<string, PropValue> {
  try {
    const parsed: unknown = JSON.parse(text);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
    const props: Record<string, PropValue> = {};
    for (const [k, v] of Object.entries(parsed)) {
      if (k === '__proto__') continue;
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') props[k] = v;
    }
    return props;
  } catch {
    return {};
  }
}

/** The record columns, for SELECTs that rebuild records. */
export const RECORD_COLUMNS = Object.keys(RECORD_FIELDS) as FieldName[];
