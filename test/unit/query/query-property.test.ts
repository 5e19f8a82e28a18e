import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CARDS } from '../../../query/cards-config.ts';
import { firstRows, runQuery, sortRows } from '../../../query/compose/query.ts';
import { MemoryBackend } from '../../../query/memory/backend.ts';
import { QueryService } from '../../../query/service.ts';
import { METRICS, type Filter, type Metric, type NormalizedQuery } from '../../../shared/api.ts';
import { emptyRecord, RECORD_KINDS, type StoredRecord } from '../../../storage/schema.ts';
import { byDimensions, generatedQuery } from '../../support/query/generated.ts';
import { referenceQuery } from '../../support/query/reference.ts';

const T0 = Date.parse('2026-11-20T00:00:00Z');
const SPAN = 3 * 86_400_000;

const recordArb = fc
  .record({
    // Minute steps over three days, with clusters so sessions both continue and split.
    minute: fc.oneof(
      fc.tuple(fc.constantFrom(0, 700, 1500, 2900), fc.integer({ min: 0, max: 90 })).map(([a, b]) => a + b),
      fc.integer({ min: 0, max: SPAN / 60_000 - 1 }),
    ),
    kind: fc.constantFrom(...RECORD_KINDS),
    site: fc.constantFrom('a.test', 'b.test'),
    visitor: fc.constantFrom('v1', 'v2', 'v3', 'v4', 'v5'),
    session: fc.constantFrom('', '', '', '', 'k1'),
    user: fc.constantFrom('', '', 'alice', 'bob'),
    path: fc.constantFrom('/', '/a', '/b', '/c'),
    source: fc.constantFrom('', 'Google', 'whatsapp'),
    country: fc.constantFrom('', 'DE', 'FR'),
    name: fc.constantFrom('photo_processed', 'link_created', 'whatsapp'),
    engaged: fc.integer({ min: 0, max: 60_000 }),
    scroll: fc.integer({ min: 0, max: 100 }),
    recipients: fc.integer({ min: 0, max: 5 }),
    n: fc.option(fc.integer({ min: 0, max: 9 }), { nil: undefined }),
  })
  .map((g): StoredRecord => {
    const r = emptyRecord(g.kind, T0 + g.minute * 60_000, g.site);
    Object.assign(r, {
      visitor: g.visitor,
      session: g.session,
      user: g.user,
      path: g.path,
      country: g.country,
    });
    if (g.kind === 'pageview')
      Object.assign(r, { source: g.source, channel: g.source ? 'social' : 'direct' });
    if (g.kind === 'engagement') Object.assign(r, { engaged_ms: g.engaged, scroll: g.scroll });
    if (g.kind === 'action') Object.assign(r, { name: g.name, props: g.n === undefined ? {} : { n: g.n } });
    if (g.kind === 'share') Object.assign(r, { name: 'whatsapp', recipients: g.recipients });
    return r;
  });

const DIMS = [
  'page',
  'entry_page',
  'exit_page',
  'source',
  'country',
  'user',
  'event:kind',
  'event:name',
  'share:channel',
  'event:props:n',
  'time:day',
  'time:hour',
  'time:week',
] as const;
const METRIC_LIST: Metric[] = [...METRICS, 'prop_sum:n'];
const leafArb: fc.Arbitrary<Filter> = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('is', 'is_not'),
      fc.constantFrom('page', 'entry_page', 'source', 'country', 'user', 'event:kind'),
      fc.subarray(['', '/', '/a', 'DE', 'Google', 'alice', 'pageview', 'action'], { minLength: 1 }),
    )
    .map((t) => t as unknown as Filter),
  fc
    .tuple(fc.constant('contains'), fc.constant('page'), fc.constantFrom(['a'], ['/'], ['B']))
    .map((t) => t as unknown as Filter),
  fc
    .tuple(fc.constantFrom('gt', 'lte'), fc.constant('event:props:n'), fc.constantFrom([0], [4]))
    .map((t) => t as unknown as Filter),
);
const filterArb: fc.Arbitrary<Filter> = fc.oneof(
  { weight: 3, arbitrary: leafArb },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom('and', 'or'), fc.array(leafArb, { minLength: 1, maxLength: 2 }))
      .map((t) => t as unknown as Filter),
  },
  { weight: 1, arbitrary: leafArb.map((f): Filter => ['not', f]) },
);
const queryArb = fc
  .record({
    metrics: fc.subarray(METRIC_LIST, { minLength: 1, maxLength: 6 }),
    dimensions: fc.subarray([...DIMS], { minLength: 0, maxLength: 2 }),
    filters: fc.array(filterArb, { maxLength: 2 }),
    site: fc.constantFrom(null, 'a.test', 'b.test', 'none.test'),
    from: fc.integer({ min: -60, max: SPAN / 60_000 }),
    length: fc.integer({ min: 1, max: SPAN / 60_000 + 60 }),
  })
  .map((g) => generatedQuery(g, T0));

describe('columnar engine versus the naive reference', () => {
  it('agrees on random events and random queries, with the events appended in two unsorted batches', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(recordArb, { maxLength: 80, size: 'medium' }),
        fc.array(queryArb, { minLength: 1, maxLength: 5 }),
        fc.nat(),
        async (records, queries, cut) => {
          const backend = new MemoryBackend(() => T0 + SPAN);
          const at = records.length ? cut % (records.length + 1) : 0;
          backend.add(records.slice(0, at));
          backend.add(records.slice(at));
          for (const q of queries) {
            expect(byDimensions(await backend.query(q))).toEqual(byDimensions(referenceQuery(records, q)));
          }
        },
      ),
      { numRuns: 150, seed: 20261127 },
    );
  });
});

describe('firstRows', () => {
  it("picks exactly the head of sortRows' order, ties in every metric included", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.tuple(fc.constantFrom(...'abcdefghijklmnopqrst'.split('')), fc.constantFrom('x', 'y', 'z')),
          {
            selector: ([p, q]) => p + q,
            minLength: 20,
            maxLength: 60,
          },
        ),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })), {
          minLength: 60,
          maxLength: 60,
        }),
        fc.constantFrom<NormalizedQuery['order_by']>(
          [],
          [['pageviews', 'asc']],
          [
            ['page', 'desc'],
            ['visitors', 'desc'],
          ],
        ),
        // Mostly small n, so the partial selection (n × 8 < rows) runs, not the full sort.
        fc.integer({ min: 1, max: 9 }),
        (keys, values, order_by, n) => {
          const rows = keys.map(([page, country], k) => ({
            dimensions: [page, country],
            metrics: values[k]!,
          }));
          const q = {
            ...generatedQuery(
              {
                site: null,
                metrics: ['visitors', 'pageviews'],
                dimensions: ['page', 'country'],
                filters: [],
                from: 0,
                length: 1,
              },
              T0,
            ),
            order_by,
          };
          expect(firstRows(rows, q, n)).toEqual(sortRows(rows, q).slice(0, n));
        },
      ),
      { numRuns: 300, seed: 12 },
    );
  });
});

describe('journeys', () => {
  // Visits of a few page views a minute apart, so transitions repeat and tie.
  const visitArb = fc.record({
    visitor: fc.constantFrom('v1', 'v2', 'v3', 'v4', 'v5', 'v6'),
    start: fc.integer({ min: 0, max: SPAN / 60_000 - 10 }),
    paths: fc.array(fc.constantFrom('/', '/a', '/b', '/c'), { minLength: 1, maxLength: 5 }),
  });

  it('list the head of the full ranking, ties at the cut included', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(visitArb, { maxLength: 40 }),
        fc.integer({ min: 1, max: 6 }),
        async (visits, limit) => {
          const backend = new MemoryBackend(() => T0 + SPAN);
          const records = visits.flatMap((v) =>
            v.paths.map((path, k) => ({
              ...emptyRecord('pageview', T0 + (v.start + k) * 60_000, 'a.test'),
              visitor: v.visitor,
              path,
            })),
          );
          backend.add(records);
          const q = { site: null, from: T0, to: T0 + SPAN, limit, filters: [] };
          const all = await backend.journeys({ ...q, limit: 10_000 });
          expect(await backend.journeys(q)).toEqual({
            transitions: all.transitions.slice(0, limit),
            paths: all.paths.slice(0, limit),
          });
        },
      ),
      { numRuns: 150, seed: 11 },
    );
  });
});

describe('incremental appends', () => {
  it('two successive batches in time order give what one full rebuild gives', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(recordArb, { minLength: 1, maxLength: 100, size: 'medium' }),
        fc.nat(),
        async (raw, cut) => {
          const records = [...raw].sort((a, b) => a.ts - b.ts);
          const at = cut % (records.length + 1);
          const now = () => T0 + SPAN;
          const incremental = new MemoryBackend(now);
          incremental.add(records.slice(0, at));
          // A query between the batches must not leave stale caches behind.
          await incremental.query({
            ...base(),
            metrics: ['sessions', 'bounce_rate'],
            dimensions: ['entry_page'],
          });
          incremental.add(records.slice(at));
          const full = new MemoryBackend(now);
          full.add(records);
          const a = new QueryService({ backend: incremental, clock: now, cards: DEFAULT_CARDS });
          const b = new QueryService({ backend: full, clock: now, cards: DEFAULT_CARDS });
          expect(await a.overall({ days: 7 })).toEqual(await b.overall({ days: 7 }));
          expect(await a.funnel({ date_range: '7d' })).toEqual(await b.funnel({ date_range: '7d' }));
          expect(await a.journeys({ date_range: '7d' })).toEqual(await b.journeys({ date_range: '7d' }));
          expect(await a.retention({ date_range: 'all' })).toEqual(await b.retention({ date_range: 'all' }));
          const q = {
            ...base(),
            metrics: ['visitors', 'sessions', 'session_duration'] as Metric[],
            dimensions: ['source' as const],
          };
          expect(byDimensions((await runQuery(incremental, q)).results)).toEqual(
            byDimensions((await runQuery(full, q)).results),
          );
        },
      ),
      { numRuns: 60, seed: 7 },
    );
  });

  it('dropping rows (erasure) equals never having stored them', async () => {
    const records = fc.sample(recordArb, { numRuns: 300, seed: 3 });
    const kept = records.filter((r) => r.user !== 'alice');
    const dropped = new MemoryBackend(() => T0 + SPAN);
    dropped.add(records);
    dropped.retain((r) => r.user !== 'alice');
    const clean = new MemoryBackend(() => T0 + SPAN);
    clean.add(kept);
    const q = { ...base(), metrics: METRIC_LIST, dimensions: ['user' as const] };
    expect(byDimensions(await dropped.query(q))).toEqual(byDimensions(await clean.query(q)));
    expect(dropped.index.cols.dicts.user.lookup('alice')).toBe(-1);
  });
});

function base(): NormalizedQuery {
  return {
    site: null,
    metrics: [],
    dimensions: [],
    filters: [],
    from: T0,
    to: T0 + SPAN,
    order_by: [],
    limit: 10_000,
    offset: 0,
  };
}
