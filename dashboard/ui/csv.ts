import { csvFileName, toCsv, type Column, type Row } from '../lib/table.ts';

/** Saves a table as a CSV file through a temporary blob: link (no server round trip). */
export function downloadCsv(title: string, columns: readonly Column[], rows: readonly Row[]): void {
  const blob = new Blob([toCsv(columns, rows)], { type: 'text/csv;charset=utf-8' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = csvFileName(title, Date.now());
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
