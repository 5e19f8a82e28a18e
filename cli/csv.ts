import { csvCell } from '../shared/csv.ts';
import { RECORD_FIELDS, type FieldName, type StoredRecord } from '../storage/schema.ts';

/** CSV columns: every stored field, in schema order; props as a JSON object. */
export const CSV_COLUMNS = Object.keys(RECORD_FIELDS) as FieldName[];

export function csvHeader(): string {
  return CSV_COLUMNS.join(',');
}

/** One RFC 4180 line without the newline; `ts` stays epoch ms like the JSON Lines. */
export function csvLine(record: StoredRecord): string {
  return CSV_COLUMNS.map((field) => {
    const value = record[field];
    if (typeof value === 'number') return String(value);
    if (typeof value === 'object') return Object.keys(value).length ? csvCell(JSON.stringify(value)) : '';
    return csvCell(value);
  }).join(',');
}
