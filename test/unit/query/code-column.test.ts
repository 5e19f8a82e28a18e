import { describe, expect, it } from 'vitest';
import { CodeColumn } from '../../../query/memory/code-column.ts';
import { MemoryBackend } from '../../../query/memory/backend.ts';
import { emptyRecord } from '../../../storage/schema.ts';

describe('dictionary-code columns', () => {
  it('stay 16-bit until a code does not fit, then widen without losing a value', () => {
    const column = new CodeColumn();
    for (let code = 0; code < 70_000; code += 7) column.push(code % 60_000);
    expect(column.data).toBeInstanceOf(Uint16Array);
    column.push(65_535);
    expect(column.data).toBeInstanceOf(Uint16Array);
    column.push(65_536);
    expect(column.data).toBeInstanceOf(Int32Array);
    column.push(3);
    const values = Array.from(column.data.subarray(0, column.length));
    const expected = [];
    for (let code = 0; code < 70_000; code += 7) expected.push(code % 60_000);
    expect(values).toEqual([...expected, 65_535, 65_536, 3]);
  });

  it('adopt the narrowest type for the dictionary size and permute rows', () => {
    const column = new CodeColumn();
    column.adopt(Int32Array.from([5, 1, 9]), 3, 9);
    expect(column.data).toBeInstanceOf(Uint16Array);
    column.permute(Int32Array.from([2, 0, 1]));
    expect(Array.from(column.data.subarray(0, 3))).toEqual([9, 5, 1]);
    column.adopt(Int32Array.from([70_000, 2]), 2, 70_000);
    expect(Array.from(column.data.subarray(0, 2))).toEqual([70_000, 2]);
  });

  it('count more than 65,536 distinct visitors exactly through the index', async () => {
    const t0 = Date.parse('2026-11-20T00:00:00Z');
    const backend = new MemoryBackend(() => t0 + 86_400_000);
    const records = Array.from({ length: 70_000 }, (_, i) => ({
      ...emptyRecord('pageview', t0 + i, 'a.test'),
      visitor: `v${i}`,
      path: i % 2 ? '/a' : '/b',
    }));
    backend.add(records);
    const rows = await backend.query({
      site: null,
      metrics: ['visitors', 'pageviews'],
      dimensions: ['page'],
      filters: [],
      from: t0,
      to: t0 + 86_400_000,
      order_by: [],
      limit: 10,
      offset: 0,
    });
    expect(backend.index.cols.dict.visitor.data).toBeInstanceOf(Int32Array);
    expect(backend.index.cols.dict.path.data).toBeInstanceOf(Uint16Array);
    expect(rows.sort((a, b) => (a.dimensions[0]! < b.dimensions[0]! ? -1 : 1))).toEqual([
      { dimensions: ['/a'], metrics: [35_000, 35_000] },
      { dimensions: ['/b'], metrics: [35_000, 35_000] },
    ]);
  });
});
