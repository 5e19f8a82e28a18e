import { afterEach, describe, expect, it, vi } from 'vitest';
import { Batcher } from '../../../../query/clickhouse/batcher.ts';
import { fromRow, toRow } from '../../../../query/clickhouse/rows.ts';
import { dimensionExpr, filtersExpr, filtersUseSessions } from '../../../../query/clickhouse/expressions.ts';
import { emptyRecord } from '../../../../storage/schema.ts';

describe('Batcher', () => {
  afterEach(() => vi.useRealTimers());

  it('writes once when the size limit is reached, without waiting for the timer', async () => {
    const writes: number[][] = [];
    const batcher = new Batcher<number>(async (items) => void writes.push(items), 5, 60_000);
    await Promise.all([batcher.submit([1, 2]), batcher.submit([3, 4, 5])]);
    expect(writes).toEqual([[1, 2, 3, 4, 5]]);
  });

  it('writes what waits when the time limit passes', async () => {
    vi.useFakeTimers();
    const writes: number[][] = [];
    const batcher = new Batcher<number>(async (items) => void writes.push(items), 100, 1000);
    const done = batcher.submit([1]);
    const also = batcher.submit([2]);
    await vi.advanceTimersByTimeAsync(999);
    expect(writes).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await Promise.all([done, also]);
    expect(writes).toEqual([[1, 2]]);
  });

  it('rejects every caller of a failed write and keeps going with the next batch', async () => {
    let fail = true;
    const batcher = new Batcher<number>(
      async () => {
        if (fail) throw new Error('down');
      },
      2,
      60_000,
    );
    const results = await Promise.allSettled([batcher.submit([1]), batcher.submit([2])]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    await expect(batcher.submit([3, 4])).resolves.toBeUndefined();
  });
});

describe('rows', () => {
  it('round-trips a record, props typed, with key/value/is-number arrays for SQL', () => {
    const record = {
      ...emptyRecord('action', 1764240000123, 'example.com'),
      name: 'photo_processed',
      props: { processed_count: 150, ok: true, label: "it's" },
    };
    const row = toRow(record);
    expect(row.prop_keys).toEqual(['processed_count', 'ok', 'label']);
    expect(row.prop_values).toEqual(['150', 'true', "it's"]);
    expect(row.prop_numeric).toEqual([1, 0, 0]);
    // UInt64 may come back as a string from some servers.
    expect(fromRow({ ...row, ts: String(row.ts) })).toEqual(record);
    expect(toRow(emptyRecord('pageview', 1, 'a')).props).toBe('');
  });
});

describe('filters and dimensions as SQL', () => {
  it('quotes hostile filter values and never lets them end the literal', () => {
    const text = filtersExpr([
      ['is', 'page', ["/x' OR 1=1 --", 'a\\']],
      ['contains', 'event:props:q', ["'); DROP TABLE events; --"]],
    ]).text;
    expect(text).toBe(
      "(toString(path) IN ('/x\\' OR 1=1 --', 'a\\\\')) AND ((position(lowerUTF8(prop_values[indexOf(prop_keys, 'q')]), '\\'); drop table events; --') > 0))",
    );
  });

  it('combines and/or/not and knows when sessions are needed', () => {
    const filters = [
      [
        'not',
        [
          'or',
          [
            ['is', 'channel', ['search']],
            ['is', 'country', ['DE']],
          ],
        ],
      ],
    ] as never;
    expect(filtersExpr(filters).text).toBe(
      "(NOT ((s_channel IN ('search')) OR (toString(country) IN ('DE'))))",
    );
    expect(filtersUseSessions(filters)).toBe(true);
    expect(filtersUseSessions([['is', 'country', ['DE']]])).toBe(false);
  });

  it('never matches a non-numeric value with a numeric operator', () => {
    expect(filtersExpr([['gt', 'event:props:n', ['abc' as never]]]).text).toBe('(0)');
    expect(filtersExpr([['lte', 'event:props:n', [5]]]).text).toContain('<= 5');
  });

  it('buckets time in UTC by epoch arithmetic, never the server time zone', () => {
    expect(dimensionExpr('time:day').text).toBe('toString(intDiv(ts, 86400000) * 86400000)');
    expect(dimensionExpr('time:month').text).toContain("'UTC'");
  });
});
