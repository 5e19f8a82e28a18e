import { describe, expect, it } from 'vitest';
import { comparisonRange, shiftBucket } from '../../../query/compare.ts';
import type { CompareMode, Dimension } from '../../../shared/api.ts';

const t = (iso: string) => Date.parse(iso);

describe('compared ranges', () => {
  it.each<[string, CompareMode, [string, string], [string, string]]>([
    ['a week before a week', 'previous_period', ['2026-11-20', '2026-11-27'], ['2026-11-13', '2026-11-20']],
    ['a year before', 'year_over_year', ['2026-11-20', '2026-11-27'], ['2025-11-20', '2025-11-27']],
    [
      '29 February a year earlier is the 28th',
      'year_over_year',
      ['2028-02-29', '2028-03-01'],
      ['2027-02-28', '2027-03-01'],
    ],
  ])('%s', (_name, mode, [from, to], [expectedFrom, expectedTo]) => {
    const range = { from: t(`${from}T00:00:00Z`), to: t(`${to}T00:00:00Z`) };
    expect(comparisonRange(range, mode)).toEqual({
      from: t(`${expectedFrom}T00:00:00Z`),
      to: t(`${expectedTo}T00:00:00Z`),
    });
  });
});

describe('compared time buckets on the current axis', () => {
  // a rolling 7 days ending 2026-11-27 12:00, as `7d` resolves
  const current = { from: t('2026-11-20T12:00:00Z'), to: t('2026-11-27T12:00:00.001Z') };
  const previous = comparisonRange(current, 'previous_period');
  const lastYear = comparisonRange(current, 'year_over_year');
  it.each<[string, Dimension, CompareMode, string, string]>([
    ['a day, a week later', 'time:day', 'previous_period', '2026-11-18', '2026-11-25'],
    ['the first, partial day', 'time:day', 'previous_period', '2026-11-13', '2026-11-20'],
    ['an hour', 'time:hour', 'previous_period', '2026-11-18T05:00:00Z', '2026-11-25T05:00:00Z'],
    ['a day a year later', 'time:day', 'year_over_year', '2025-11-26', '2026-11-26'],
    ['a month a year later', 'time:month', 'year_over_year', '2025-11', '2026-11'],
    [
      'a week onto the week holding its moved start',
      'time:week',
      'previous_period',
      '2026-11-16',
      '2026-11-23',
    ],
    ['something that is no bucket stays as it is', 'time:day', 'previous_period', 'garbage', 'garbage'],
  ])('%s', (_name, dimension, mode, label, expected) => {
    expect(
      shiftBucket(label, dimension, current, mode === 'previous_period' ? previous : lastYear, mode),
    ).toBe(expected);
  });
});
