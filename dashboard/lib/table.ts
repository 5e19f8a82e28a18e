// Table logic shared by every panel and the user table: sorting, searching, paging and CSV.

import { csvCell } from '../../shared/csv.ts';

export type Cell = string | number | boolean | null | undefined;
export type Row = Record<string, Cell>;
export type SortDir = 'asc' | 'desc';

function compare(a: Cell, b: Cell): number {
  // Missing values sort last whatever the direction, so a column of blanks never hides the data.
  if (a === b) return 0;
  if (a === null || a === undefined || a === '') return 1;
  if (b === null || b === undefined || b === '') return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), 'en', { numeric: true, sensitivity: 'base' });
}

/** Stable sort by one column; ties keep their original (server) order. */
export function sortRows<T extends Row>(rows: readonly T[], key: string, dir: SortDir): T[] {
  const sign = dir === 'asc' ? 1 : -1;
  return rows
    .map((row, index) => ({ row, index }))
    .sort((x, y) => {
      const a = x.row[key];
      const b = y.row[key];
      const blankA = a === null || a === undefined || a === '';
      const blankB = b === null || b === undefined || b === '';
      if (blankA !== blankB) return blankA ? 1 : -1;
      return sign * compare(a, b) || x.index - y.index;
    })
    .map((x) => x.row);
}

/** Case-insensitive substring search over the given columns; an empty query keeps every row. */
export function searchRows<T extends Row>(rows: readonly T[], query: string, keys: readonly string[]): T[] {
  const q = query.trim().toLowerCase();
  if (!q) return [...rows];
  return rows.filter((row) =>
    keys.some((k) =>
      String(row[k] ?? '')
        .toLowerCase()
        .includes(q),
    ),
  );
}

export interface Page<T> {
  rows: T[];
  /** zero-based, clamped into range */
  page: number;
  pages: number;
  total: number;
}

/** One page of rows; an out-of-range page number lands on the nearest real page. */
export function paginate<T>(rows: readonly T[], page: number, size: number): Page<T> {
  const pages = Math.max(1, Math.ceil(rows.length / size));
  const current = Math.min(Math.max(0, Math.floor(page) || 0), pages - 1);
  return {
    rows: rows.slice(current * size, current * size + size),
    page: current,
    pages,
    total: rows.length,
  };
}

export interface Column {
  key: string;
  label: string;
}

/** RFC 4180 CSV with a header row and CRLF line ends, safe to open in a spreadsheet. */
export function toCsv(columns: readonly Column[], rows: readonly Row[]): string {
  const lines = [columns.map((c) => csvCell(c.label)).join(',')];
  for (const row of rows) lines.push(columns.map((c) => csvCell(row[c.key])).join(','));
  return lines.join('\r\n') + '\r\n';
}

/** A file name from a table title: "Top pages" → "top-pages-2026-11-27.csv". */
export function csvFileName(title: string, now: number): string {
  const slug =
    title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'table';
  return `${slug}-${new Date(now).toISOString().slice(0, 10)}.csv`;
}
