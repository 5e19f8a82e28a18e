/**
 * The one place values become SQL text. ClickHouse 18.16 has no server-side query parameters, so
 * every value is quoted here and nowhere else: build queries with the `sql` tag, which quotes
 * each interpolated value by its type, and mark the few trusted fragments with `raw` / `ident`.
 */

const SQL_FRAGMENT = Symbol('sql fragment');

/** Text that is already valid SQL: only ever built by this module's functions. */
export interface SqlFragment {
  readonly [SQL_FRAGMENT]: true;
  readonly text: string;
}

export type SqlValue = string | number | bigint | boolean | null | SqlFragment | readonly SqlValue[];

function fragment(text: string): SqlFragment {
  return { [SQL_FRAGMENT]: true, text };
}

export function isFragment(value: unknown): value is SqlFragment {
  return typeof value === 'object' && value !== null && SQL_FRAGMENT in value;
}

// Every byte that could end the literal or confuse a log reader is escaped; ClickHouse reads
// these backslash escapes inside single-quoted strings on every version.
const ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  "'": "\\'",
  '\0': '\\0',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/** A string literal: `'it\'s'`. Safe for any string, including quotes, backslashes and NUL. */
export function quoteString(value: string): string {
  return `'${value.replace(/[\\'\0\b\f\n\r\t]/g, (c) => ESCAPES[c]!)}'`;
}

/** A number literal; NaN and ±Infinity are refused rather than turned into something surprising. */
export function quoteNumber(value: number | bigint): string {
  if (typeof value === 'bigint') return value.toString();
  if (!Number.isFinite(value)) throw new TypeError(`cannot put ${value} into SQL`);
  // Exponent notation would be fine for ClickHouse, but plain digits keep integers integers.
  return Number.isInteger(value) ? BigInt(value).toString() : String(value);
}

/** Any value as a literal: strings quoted, arrays as [a, b], booleans as 1/0, null as NULL. */
export function quote(value: SqlValue): string {
  if (isFragment(value)) return value.text;
  if (value === null) return 'NULL';
  if (typeof value === 'string') return quoteString(value);
  if (typeof value === 'number' || typeof value === 'bigint') return quoteNumber(value);
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (Array.isArray(value)) return `[${value.map(quote).join(', ')}]`;
  throw new TypeError(`cannot put a ${typeof value} into SQL`);
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A table, column or database name. Only plain identifiers are accepted (not quoted ones), so a
 * hostile CLICKHOUSE_DATABASE fails at start instead of reaching a query.
 */
export function ident(name: string): SqlFragment {
  if (!IDENTIFIER.test(name)) throw new TypeError(`not a plain SQL identifier: ${JSON.stringify(name)}`);
  return fragment(`\`${name}\``);
}

/** Trusted SQL written in our own source; never pass user input here. */
export function raw(text: string): SqlFragment {
  return fragment(text);
}

/** Joins fragments/values with a separator, quoting the values. */
export function join(parts: readonly SqlValue[], separator = ', '): SqlFragment {
  return fragment(parts.map(quote).join(separator));
}

/** Tagged template: sql`SELECT * FROM ${ident(t)} WHERE site = ${site}` quotes every value. */
export function sql(strings: TemplateStringsArray, ...values: SqlValue[]): SqlFragment {
  let text = strings[0]!;
  for (let i = 0; i < values.length; i++) text += quote(values[i]!) + strings[i + 1]!;
  return fragment(text);
}
