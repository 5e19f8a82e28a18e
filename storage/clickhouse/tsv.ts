import { quoteNumber, quoteString } from './sql.ts';

/**
 * Rows as TabSeparated, the format ClickHouse reads fastest: a quarter of JSONEachRow's bytes (no
 * key names) and about half its parse time on 18.16. Strings are backslash-escaped; arrays are
 * written as quoted literals (`['a','b\'c']`), which is how TabSeparated reads them on every
 * version, with no second escaping level.
 */

const ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  '\t': '\\t',
  '\n': '\\n',
  '\r': '\\r',
  '\0': '\\0',
  '\b': '\\b',
  '\f': '\\f',
};

export type TsvValue = string | number | readonly string[] | readonly number[];

/** One field: a string escaped, a number as digits, an array as its quoted literal. */
export function tsvField(value: TsvValue): string {
  if (typeof value === 'string') return value.replace(/[\\\t\n\r\0\b\f]/g, (c) => ESCAPES[c]!);
  if (typeof value === 'number') return number(value);
  const items = (value as readonly (string | number)[]).map((v) =>
    typeof v === 'string' ? quoteString(v) : number(v),
  );
  return `[${items.join(',')}]`;
}

// String() is exact for safe integers and much cheaper than quoteNumber's BigInt.
function number(value: number): string {
  return Number.isSafeInteger(value) ? String(value) : quoteNumber(value);
}

/** One row: the values of `columns`, in that order, tab-separated, ending in a newline. */
export function tsvLine(row: Readonly<Record<string, TsvValue>>, columns: readonly string[]): string {
  let line = '';
  for (let i = 0; i < columns.length; i++) line += (i ? '\t' : '') + tsvField(row[columns[i]!]!);
  return line + '\n';
}
