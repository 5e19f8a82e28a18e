/**
 * One CSV cell, safe to open in a spreadsheet: shared by the dashboard's table export and
 * `cfa export`, so both defuse the same things.
 *
 * Paths, referrers, action names, UTM values, prop values and user ids are chosen by visitors,
 * and a spreadsheet runs a cell that starts with = + - @ as a formula (OWASP's "CSV injection").
 * Leading spaces (also NBSP and the other Unicode spaces) do not stop Excel from reading one, and
 * where the list separator is ";" (German, French, Dutch… locales) or a tab, a value like
 * `x;=HYPERLINK(…)` can become a second cell that starts with "=". So every text cell is quoted,
 * and one that holds a formula start at its beginning or after ; , or a tab gets a leading '
 * (shown as text, and visibly altered). Numbers stay numbers.
 */
export type CsvValue = string | number | boolean | null | undefined;

/** A formula start: = + - @ as the first non-space character, or a leading tab or CR. */
const LEADING = /^(?:[\t\r]|\s*[=+\-@])/;
/** …or right after a separator some locale may split on, spaces allowed in between. */
const AFTER_SEPARATOR = /[;,\t]\s*[=+\-@]/;

export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') return String(value);
  if (value === '') return '';
  const text = LEADING.test(value) || AFTER_SEPARATOR.test(value) ? `'${value}` : value;
  return `"${text.replaceAll('"', '""')}"`;
}
