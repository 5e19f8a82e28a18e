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

/**
 * Quotes a text cell. Page paths, referrers, user ids and props are visitor-controlled, and a
 * spreadsheet runs a cell starting with = + - @ as a formula, so those get a leading ' (OWASP's
 * advice for CSV injection).
 */
export function csvCell(text: string): string {
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n']/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
