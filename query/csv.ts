import type { QueryResponse } from '../shared/api.ts';

/**
 * A general query's answer as CSV lines (RFC 4180, CRLF): a header of the dimension and metric
 * names (plus `previous:<metric>` with a comparison), then one line per row. A text cell that a
 * spreadsheet would run as a formula (= + - @, tab, CR) gets a leading apostrophe: dimension
 * values are page paths, referrers and UTM tags that any visitor can set.
 */
export function* csvLines(answer: QueryResponse, batch = 1000): Generator<string> {
  const q = answer.query;
  const compared = answer.results.some((r) => r.comparison);
  const header = [...q.dimensions, ...q.metrics, ...(compared ? q.metrics.map((m) => `previous:${m}`) : [])];
  let chunk = line(header);
  let n = 0;
  for (const row of answer.results) {
    chunk += line([...row.dimensions, ...row.metrics.map(String), ...(row.comparison ?? []).map(String)]);
    if (++n % batch === 0) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

function line(cells: string[]): string {
  return `${cells.map(cell).join(',')}\r\n`;
}

function cell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) && !/^-?\d/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
