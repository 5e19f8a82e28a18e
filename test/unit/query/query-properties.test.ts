import { describe, expect, it } from 'vitest';
import { summarize } from '../../../query/compose/properties.ts';

describe('numeric prop summary', () => {
  it.each<[string, [string, number][], Record<string, unknown> | null]>([
    ['no values', [], null],
    [
      'a text value among numbers',
      [
        ['3', 2],
        ['many', 1],
      ],
      null,
    ],
    ['an empty string', [['', 1]], null],
    [
      'one value',
      [['4', 3]],
      { count: 3, sum: 12, avg: 4, min: 4, max: 4, histogram: [{ from: 4, to: 5, count: 3 }] },
    ],
    [
      'small whole numbers, one bar each',
      [
        ['1', 1],
        ['3', 2],
      ],
      {
        count: 3,
        sum: 7,
        avg: 2.333,
        histogram: [
          { from: 1, to: 2, count: 1 },
          { from: 2, to: 3, count: 0 },
          { from: 3, to: 4, count: 2 },
        ],
      },
    ],
  ])('%s', (_name, pairs, expected) => {
    const summary = summarize(pairs);
    if (expected === null) expect(summary).toBeNull();
    else expect(summary).toMatchObject(expected);
  });

  it('spreads a wide range over ten equal buckets, the maximum in the last', () => {
    const summary = summarize([
      ['0', 1],
      ['0.5', 1],
      ['99.9', 1],
      ['100', 4],
    ])!;
    expect(summary.histogram).toHaveLength(10);
    expect(summary.histogram[0]).toEqual({ from: 0, to: 10, count: 2 });
    expect(summary.histogram[9]).toEqual({ from: 90, to: 100, count: 5 });
    expect(summary.histogram.reduce((n, b) => n + b.count, 0)).toBe(summary.count);
  });
});
