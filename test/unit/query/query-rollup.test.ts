import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newVsReturning } from '../../../query/compose/new-returning.ts';
import { MemoryBackend } from '../../../query/memory/backend.ts';
import { funnel } from '../../../query/memory/funnel.ts';
import {
  METRICS,
  type Dimension,
  type Filter,
  type Metric,
  type NormalizedQuery,
  type FunnelStep,
} from '../../../shared/api.ts';
import { type NormalizedFunnel, type QueryBackend } from '../../../query/backend.ts';
import { emptyRecord, RECORD_KINDS, type StoredRecord } from '../../../storage/schema.ts';
import { byDimensions, generatedQuery } from '../../support/query/generated.ts';
import { referenceQuery } from '../../support/query/reference.ts';

// Whole-day rollups (query/memory/rollup.ts) must give exactly what one scan gives,
// including after appends that land in cached days or turn a day-local visitor into a
// multi-day one.

const DAY = 86_400_000;
const T0 = Date.parse('2026-11-16T00:00:00Z');
const DAYS = 6;
const now = () => T0 + DAYS * DAY;

const recordArb = fc
  .record({
    minute: fc.oneof(
      // Clusters around midnights, so sessions and visitors straddle day boundaries.
      fc
        .tuple(fc.integer({ min: 1, max: DAYS - 1 }), fc.integer({ min: -40, max: 40 }))
        .map(([d, m]) => d * 1440 + m),
      fc.integer({ min: 0, max: DAYS * 1440 - 1 }),
    ),
    kind: fc.constantFrom(...RECORD_KINDS),
    site: fc.constantFrom('a.test', 'b.test'),
    visitor: fc.constantFrom('v1', 'v2', 'v3', 'v4'),
    // Mostly the collector's day-scoped ids; some ids that span days (server-side `u:` ids).
    scope: fc.constantFrom('day', 'day', 'day', 'day', 'any'),
    session: fc.constantFrom('', '', '', '', '', 'k1'),
    user: fc.constantFrom('', '', 'alice', 'bob'),
    path: fc.constantFrom('/', '/a', '/b'),
    source: fc.constantFrom('', 'Google', 'whatsapp'),
    country: fc.constantFrom('', 'DE', 'FR'),
    name: fc.constantFrom('photo_processed', 'link_created'),
    engaged: fc.integer({ min: 0, max: 60_000 }),
    scroll: fc.integer({ min: 0, max: 100 }),
    n: fc.option(fc.integer({ min: 0, max: 9 }), { nil: undefined }),
  })
  .map((g): StoredRecord => {
    const ts = T0 + g.minute * 60_000;
    const r = emptyRecord(g.kind, ts, g.site);
    const visitor = g.scope === 'day' ? `${g.visitor}@${Math.floor(ts / DAY)}` : `u:${g.visitor}`;
    Object.assign(r, { visitor, session: g.session, user: g.user, path: g.path, country: g.country });
    if (g.kind === 'pageview') Object.assign(r, { source: g.source, referrer: g.source });
    if (g.kind === 'engagement') Object.assign(r, { engaged_ms: g.engaged, scroll: g.scroll });
    if (g.kind === 'action') Object.assign(r, { name: g.name, props: g.n === undefined ? {} : { n: g.n } });
    if (g.kind === 'share') Object.assign(r, { name: 'whatsapp', recipients: 2 });
    return r;
  });

const DIMS: Dimension[] = [
  'page',
  'entry_page',
  'exit_page',
  'source',
  'country',
  'user',
  'event:name',
  'time:day',
  'time:hour',
];
const queryArb = fc
  .record({
    metrics: fc.subarray([...METRICS, 'prop_sum:n'] as Metric[], { minLength: 1, maxLength: 6 }),
    dimensions: fc.subarray(DIMS, { maxLength: 2 }),
    filters: fc.constantFrom<Filter[]>(
      [],
      [['is', 'event:kind', ['pageview']]],
      [['is', 'country', ['DE']]],
      [['is_not', 'entry_page', ['/a']]],
      [['is_not', 'user', ['']]],
    ),
    site: fc.constantFrom(null, 'a.test'),
    // Whole-day edges half of the time, so ranges with no ragged end are covered too.
    from: fc.oneof(
      fc.integer({ min: -1, max: 2 }).map((d) => d * 1440),
      fc.integer({ min: -60, max: 3000 }),
    ),
    length: fc.oneof(
      fc.integer({ min: 1, max: DAYS + 1 }).map((d) => d * 1440),
      fc.integer({ min: 2000, max: 9000 }),
    ),
  })
  .map((g) => generatedQuery(g, T0));

describe('whole-day rollups', () => {
  it('answer random queries as the naive reference does, before and after appends into cached days', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(recordArb, { minLength: 1, maxLength: 120 }),
        fc.array(recordArb, { maxLength: 30 }),
        fc.boolean(),
        fc.array(queryArb, { minLength: 1, maxLength: 4 }),
        async (first, later, backdated, queries) => {
          const backend = new MemoryBackend(now);
          const byTime = [...first].sort((a, b) => a.ts - b.ts);
          backend.add(byTime);
          for (const q of queries)
            expect(byDimensions(await backend.query(q))).toEqual(byDimensions(referenceQuery(byTime, q)));
          // Later records either in time order (they land in the last, possibly cached, days) or
          // backdated anywhere (the index re-sorts and must drop only the touched days' results).
          const lateStart = byTime[byTime.length - 1]!.ts;
          const late = backdated ? later : later.map((r) => ({ ...r, ts: Math.max(r.ts, lateStart) }));
          backend.add(backdated ? late : [...late].sort((a, b) => a.ts - b.ts));
          const all = [...byTime, ...late];
          for (const q of queries)
            expect(byDimensions(await backend.query(q))).toEqual(byDimensions(referenceQuery(all, q)));
        },
      ),
      { numRuns: 150, seed: 112701 },
    );
  });

  it('batched top lists and prop keys match one scan per list', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(recordArb, { minLength: 1, maxLength: 150 }),
        queryArb,
        async (records, q) => {
          const backend = new MemoryBackend(now);
          backend.add([...records].sort((a, b) => a.ts - b.ts));
          const dims: Dimension[] = ['entry_page', 'exit_page', 'source', 'country', 'page'];
          const base = { ...q, metrics: [], dimensions: [] };
          const lists = await backend.topLists(base, dims);
          dims.forEach((dim, k) => {
            const expected = referenceQuery(records, {
              ...base,
              metrics: ['visitors', 'pageviews'],
              dimensions: [dim],
              filters: [...base.filters, ['is', 'event:kind', ['pageview']]],
            });
            expect(byDimensions(lists[k]!), dim).toEqual(byDimensions(expected));
          });
          const keys = await backend.numericPropKeys({
            site: q.site,
            from: q.from,
            to: q.to,
            kind: 'action',
          });
          const inRange = records.filter(
            (r) =>
              r.kind === 'action' && r.ts >= q.from && r.ts < q.to && (q.site === null || r.site === q.site),
          );
          const expected: Record<string, string[]> = {};
          for (const r of inRange) if (typeof r.props.n === 'number') expected[r.name] = ['n'];
          expect(keys).toEqual(expected);
        },
      ),
      { numRuns: 80, seed: 112702 },
    );
  });

  it('new vs returning users from first records equal the two general queries', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(recordArb, { minLength: 1, maxLength: 150 }),
        fc.array(recordArb, { maxLength: 20 }),
        queryArb,
        async (first, later, q) => {
          const backend = new MemoryBackend(now);
          backend.add(first);
          backend.add(later);
          const base = { ...q, filters: [] };
          // Only the general query: compose/new-returning.ts then takes its generic path.
          const generic = { query: backend.query } as unknown as QueryBackend;
          expect(await newVsReturning(backend, base)).toEqual(await newVsReturning(generic, base));
        },
      ),
      { numRuns: 100, seed: 112703 },
    );
  });

  it('funnels over whole days equal one scan of the range, session or time-window based', async () => {
    const stepArb = fc.constantFrom<FunnelStep>(
      { type: 'page', value: '*' },
      { type: 'page', value: '/a' },
      { type: 'action', value: 'photo_processed' },
      { type: 'action', value: 'link_created' },
      { type: 'share' },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(recordArb, { minLength: 1, maxLength: 150 }),
        queryArb,
        fc.array(stepArb, { minLength: 2, maxLength: 4 }),
        fc.constantFrom(null, 600_000, 3 * DAY),
        async (records, q, steps, windowMs) => {
          const backend = new MemoryBackend(now);
          backend.add(records);
          const f: NormalizedFunnel = { site: q.site, from: q.from, to: q.to, steps, windowMs, filters: [] };
          expect(await backend.funnel(f)).toEqual(funnel(backend.index, f));
          // Asked again, the cached blocks give the same.
          expect(await backend.funnel(f)).toEqual(funnel(backend.index, f));
        },
      ),
      { numRuns: 100, seed: 112704 },
    );
  });

  it('counts a visitor once when a backdated event makes it span two cached days', async () => {
    const backend = new MemoryBackend(now);
    const view = (ts: number, visitor: string) => ({
      ...emptyRecord('pageview', ts, 'a.test'),
      visitor,
      path: '/',
    });
    backend.add([view(T0 + 10 * 60_000, 'x'), view(T0 + DAY + 10 * 60_000, 'y'), view(T0 + 2 * DAY, 'y')]);
    const q: NormalizedQuery = {
      site: null,
      metrics: ['visitors', 'sessions', 'pageviews'],
      dimensions: [],
      filters: [],
      from: T0,
      to: T0 + 4 * DAY,
      order_by: [],
      limit: 10,
      offset: 0,
    };
    expect((await backend.query(q))[0]!.metrics).toEqual([2, 3, 3]);
    // Visitor x again, stored late with a time on day 2: one visitor, now in two days.
    backend.add([view(T0 + 2 * DAY + 60_000, 'x')]);
    expect((await backend.query(q))[0]!.metrics).toEqual([2, 4, 4]);
    expect(backend.index.nonLocalRows().length).toBe(4);
  });
});
