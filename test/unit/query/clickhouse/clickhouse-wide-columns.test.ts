import { describe, expect, it } from 'vitest';
import { columnsNamed } from '../../../../query/clickhouse/aggregate.ts';

describe('columnsNamed (the wide copy a session-grouped query makes)', () => {
  it.each([
    [
      'a dimension, a session filter and a figure',
      ['toString(country) AS d0', "s_channel NOT IN ('direct')", 'uniqExact(visitor) AS visitors'],
      ['visitor', 'country', 'sess', 's_channel'],
    ],
    [
      'aliases of figures sent as 0 name no column',
      ['0 AS recipients, 0 AS engaged, count() AS matched', 's_entry AS d0'],
      ['sess', 's_entry'],
    ],
    [
      'session figures and scroll depth',
      ['s_first_ts s_last_ts s_pageviews s_interactions', 'kind path scroll'],
      ['kind', 'path', 'scroll', 'sess', 's_first_ts', 's_last_ts', 's_pageviews', 's_interactions'],
    ],
    [
      'a word of a string literal costs one more column, never one less',
      ["s_source = 'city'"],
      ['city', 'sess', 's_source'],
    ],
  ])('%s', (_name, texts, want) => {
    expect(columnsNamed(texts)).toEqual(want);
  });
});
