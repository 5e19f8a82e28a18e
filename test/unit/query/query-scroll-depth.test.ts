import { describe, expect, it } from 'vitest';
import { MemoryBackend } from '../../../query/memory/backend.ts';
import type { NormalizedQuery } from '../../../shared/api.ts';
import { emptyRecord, type StoredRecord } from '../../../storage/schema.ts';

const T0 = Date.parse('2026-11-20T10:00:00Z');
const MIN = 60_000;

function engagement(minute: number, visitor: string, path: string, scroll: number): StoredRecord {
  return Object.assign(emptyRecord('engagement', T0 + minute * MIN, 'a.test'), {
    visitor,
    path,
    scroll,
    engaged_ms: 1000,
  });
}

const query = (dimensions: NormalizedQuery['dimensions']): NormalizedQuery => ({
  site: null,
  metrics: ['scroll_depth'],
  dimensions,
  filters: [],
  from: T0,
  to: T0 + 86_400_000,
  order_by: [],
  limit: 100,
  offset: 0,
});

describe('scroll_depth', () => {
  it('averages the deepest scroll of each (session, page), whatever order the sends came in', async () => {
    const backend = new MemoryBackend(() => T0 + 86_400_000);
    backend.add([
      // v1, one session: /a reaches 80 then reports 30 (a later, shallower send); /b 40, /a again 50.
      engagement(0, 'v1', '/a', 80),
      engagement(1, 'v1', '/a', 30),
      engagement(2, 'v1', '/b', 40),
      engagement(3, 'v1', '/a', 50),
      // v1 again after 2 h: a new session, so /a counts a second time.
      engagement(120, 'v1', '/a', 20),
      // v2: /b 60 then 100.
      engagement(5, 'v2', '/b', 60),
      engagement(6, 'v2', '/b', 100),
    ]);
    // Pairs: (s1,/a)=80, (s1,/b)=40, (s2,/a)=20, (v2,/b)=100.
    expect(await backend.query(query([]))).toEqual([{ dimensions: [], metrics: [60] }]);
    const byPage = await backend.query(query(['page']));
    expect(byPage.sort((x, y) => (x.dimensions[0]! < y.dimensions[0]! ? -1 : 1))).toEqual([
      { dimensions: ['/a'], metrics: [50] },
      { dimensions: ['/b'], metrics: [70] },
    ]);
  });
});
