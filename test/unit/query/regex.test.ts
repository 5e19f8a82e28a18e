import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeQuery } from '../../../query/validate.ts';
import { QueryError } from '../../../shared/query-error.ts';
import { compileRegex, RegexSyntaxError } from '../../../query/regex.ts';

// Patterns of the supported subset, built from its grammar so every one is valid JS too.
const { pattern } = fc.letrec<{ pattern: string; term: string; atom: string; classItem: string }>((tie) => ({
  pattern: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    tie('term'),
    fc.tuple(tie('term'), tie('pattern')).map(([a, b]) => `${a}|${b}`),
  ),
  term: fc
    .array(
      fc.oneof(
        tie('atom'),
        fc
          .tuple(
            tie('atom'),
            fc.constantFrom('*', '+', '?', '{2}', '{0,2}', '{1,}', '{1,3}'),
            fc.constantFrom('', '?'),
          )
          .map(([a, q, lazy]) => a + q + lazy),
        fc.constantFrom('^', '$', '\\b', '\\B'),
      ),
      { maxLength: 4 },
    )
    .map((parts) => parts.join('')),
  atom: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(
      'a',
      'b',
      '1',
      '-',
      ' ',
      '_',
      'é',
      '\\.',
      '\\-',
      '\\n',
      '\\x61',
      '.',
      '\\d',
      '\\w',
      '\\s',
      '\\D',
      '\\W',
      '\\S',
    ),
    fc
      .tuple(fc.boolean(), fc.array(tie('classItem'), { minLength: 1, maxLength: 3 }))
      .map(([neg, items]) => `[${neg ? '^' : ''}${items.join('')}]`),
    tie('pattern').map((p) => `(${p})`),
    tie('pattern').map((p) => `(?:${p})`),
  ),
  classItem: fc.constantFrom('a', 'b', 'a-b', '0-9', '\\d', '\\w', '\\s', '.', '_', '\\-', '\\]', 'é'),
}));
const text = fc.string({
  unit: fc.constantFrom('a', 'b', '1', '-', ' ', '_', '.', '\n', 'é', 'x'),
  maxLength: 16,
});

describe('linear-time regular expressions (matches filter)', () => {
  it('agrees with JS RegExp on random patterns of the subset and random texts', () => {
    fc.assert(
      fc.property(pattern, fc.array(text, { minLength: 1, maxLength: 8 }), (p, texts) => {
        const ours = compileRegex(p);
        const js = new RegExp(p);
        for (const t of texts) expect(ours.test(t), `${p} on ${JSON.stringify(t)}`).toBe(js.test(t));
      }),
      { numRuns: 3_000 },
    );
  });

  it.each([
    ['(a+)+$', 'a'.repeat(40) + '!', false],
    ['(a+)+$', 'a'.repeat(40), true],
    ['^/blog/[^/]+$', '/blog/post-1', true],
    ['^/blog/[^/]+$', '/blog/a/b', false],
    ['(x|y|xy)*z{2,3}$', 'xyxyzz', true],
    ['\\bcat\\b', 'concatenate', false],
    ['a{3}', 'aa', false],
    ['', 'anything', true],
  ])('%s on %j is %s, also on hostile texts', (p, t, expected) => {
    expect(compileRegex(p).test(t)).toBe(expected);
  });

  it.each([
    ['(a)\\1', 'backreferences'],
    ['(?=a)', 'lookaround'],
    ['(?<!a)b', 'lookaround'],
    ['(?<name>a)', 'named groups'],
    ['a{', 'quantifier'],
    ['\\u0041', 'not a supported escape'],
    ['[]', 'empty character class'],
    ['a**', 'nothing to repeat'],
    ['(a', 'missing ")"'],
    ['[b-a]', 'out of order'],
    ['(a{1,1000}){1,1000}', 'too large'],
  ])('refuses %s (%s)', (p, reason) => {
    expect(() => compileRegex(p)).toThrow(RegexSyntaxError);
    expect(() => compileRegex(p)).toThrow(reason);
  });

  it('answers a query with an unsupported pattern with a QueryError naming the filter', () => {
    const query = { metrics: ['pageviews'], filters: [['matches', 'page', ['(a)\\1']]] };
    expect(() => normalizeQuery(query, Date.now())).toThrow(QueryError);
    expect(() => normalizeQuery(query, Date.now())).toThrow(/filters\[0\]\[2\].*backreferences/);
  });
});
