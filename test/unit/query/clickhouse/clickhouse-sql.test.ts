import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ident, quote, quoteNumber, quoteString, raw, sql } from '../../../../query/clickhouse/sql.ts';

/** Reads a ClickHouse single-quoted literal back, the way the server's lexer does. */
function unquote(literal: string): string {
  expect(literal.startsWith("'") && literal.endsWith("'")).toBe(true);
  const body = literal.slice(1, -1);
  const map: Record<string, string> = {
    '\\': '\\',
    "'": "'",
    '0': '\0',
    b: '\b',
    f: '\f',
    n: '\n',
    r: '\r',
    t: '\t',
  };
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === "'") throw new Error(`unescaped quote at ${i} in ${literal}`);
    if (c === '\\') {
      const next = body[++i]!;
      expect(map[next]).toBeDefined();
      out += map[next];
    } else out += c;
  }
  return out;
}

describe('quoteString', () => {
  it.each([
    ['plain', 'example.com', "'example.com'"],
    ['single quote', "it's", "'it\\'s'"],
    ['closing the literal', "x' OR 1=1 --", "'x\\' OR 1=1 --'"],
    ['backslash before quote', "\\'; DROP TABLE events; --", "'\\\\\\'; DROP TABLE events; --'"],
    ['trailing backslash', 'a\\', "'a\\\\'"],
    ['NUL and newlines', 'a\0b\nc\rd\te', "'a\\0b\\nc\\rd\\te'"],
    ['unicode', 'ünï 😀', "'ünï 😀'"],
    ['empty', '', "''"],
  ])('%s', (_name, input, expected) => {
    expect(quoteString(input)).toBe(expected);
    expect(unquote(quoteString(input))).toBe(input);
  });

  it('round-trips any string and never leaves a bare quote', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(unquote(quoteString(s))).toBe(s);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('quoteNumber', () => {
  it('writes integers as digits, even large ones', () => {
    expect(quoteNumber(1764200000123)).toBe('1764200000123');
    expect(quoteNumber(1e21)).toBe('1000000000000000000000');
    expect(quoteNumber(-5)).toBe('-5');
    expect(quoteNumber(0.25)).toBe('0.25');
    expect(quoteNumber(12n)).toBe('12');
  });
  it('refuses NaN and infinities', () => {
    expect(() => quoteNumber(NaN)).toThrow(TypeError);
    expect(() => quoteNumber(Infinity)).toThrow(TypeError);
  });
});

describe('quote', () => {
  it('quotes arrays element by element, booleans as 1/0, null as NULL', () => {
    expect(quote(['a', "b'", 3])).toBe("['a', 'b\\'', 3]");
    expect(quote(true)).toBe('1');
    expect(quote(null)).toBe('NULL');
  });
  it('refuses objects that are not fragments', () => {
    expect(() => quote({ text: 'DROP TABLE x' } as never)).toThrow(TypeError);
  });
});

describe('ident', () => {
  it.each(['events', 'cfa_2026', '_x'])('accepts %s', (name) => {
    expect(ident(name).text).toBe(`\`${name}\``);
  });
  it.each(['', '1abc', 'a-b', 'a`b', 'a b', 'db.events', "x'; DROP", 'ä'])('refuses %j', (name) => {
    expect(() => ident(name)).toThrow(TypeError);
  });
});

describe('sql tag', () => {
  it('quotes values and keeps fragments', () => {
    const site = "evil.com' OR site != '";
    const q = sql`SELECT count() FROM ${ident('events')} WHERE site = ${site} AND ts >= ${5} ${raw('FORMAT JSON')}`;
    expect(q.text).toBe(
      "SELECT count() FROM `events` WHERE site = 'evil.com\\' OR site != \\'' AND ts >= 5 FORMAT JSON",
    );
  });
  it('nests fragments without quoting them twice', () => {
    const where = sql`site = ${'a'}`;
    expect(sql`SELECT 1 WHERE ${where}`.text).toBe("SELECT 1 WHERE site = 'a'");
  });
});
