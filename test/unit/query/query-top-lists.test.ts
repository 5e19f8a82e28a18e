import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CARDS } from '../../../query/cards-config.ts';
import { MemoryBackend } from '../../../query/memory/backend.ts';
import { QueryService } from '../../../query/service.ts';
import type { Dimension, Filter, NormalizedQuery } from '../../../shared/api.ts';
import type { QueryBackend } from '../../../query/backend.ts';
import { emptyRecord, RECORD_KINDS, type StoredRecord } from '../../../storage/schema.ts';
import { byDimensions } from '../../support/query/generated.ts';
import { referenceQuery } from '../../support/query/reference.ts';

const T0 = Date.parse('2026-11-20T00:00:00Z');
const SPAN = 3 * 86_400_000;
const now = () => T0 + SPAN;

const recordArb = fc
  .record({
    minute: fc.oneof(
      fc.tuple(fc.constantFrom(0, 700, 2900), fc.integer({ min: 0, max: 90 })).map(([a, b]) => a + b),
      fc.integer({ min: 0, max: SPAN / 60_000 - 1 }),
    ),
    kind: fc.constantFrom(...RECORD_KINDS),
    site: fc.constantFrom('a.test', 'b.test'),
    visitor: fc.constantFrom('v1', 'v2', 'v3', 'v4', 'v5', 'v6'),
    session: fc.constantFrom('', '', '', 'k1'),
    path: fc.constantFrom('/', '/a', '/b'),
    source: fc.constantFrom('', 'Google', 'whatsapp'),
    country: fc.constantFrom('', 'DE', 'FR'),
    browser: fc.constantFrom('Chrome', 'Firefox'),
  })
  .map((g): StoredRecord => {
    const r = emptyRecord(g.kind, T0 + g.minute * 60_000, g.site);
    Object.assign(r, {
      visitor: g.visitor,
      session: g.session,
      path: g.path,
      country: g.country,
      browser: g.browser,
    });
    if (g.kind === 'pageview') Object.assign(r, { source: g.source, referrer: g.source });
    return r;
  });

const TOP_DIMS: Dimension[] = ['entry_page', 'exit_page', 'source', 'referrer', 'country', 'browser', 'page'];
const filterArb = fc.constantFrom<Filter[]>(
  [],
  [['is', 'country', ['DE']]],
  [['is_not', 'source', ['Google']]],
  [['not', ['is', 'entry_page', ['/a']]]],
);

describe('batched top lists', () => {
  it('give, per dimension, what the naive reference gives for visitors and pageviews of page views', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(recordArb, { minLength: 20, maxLength: 80 }),
        filterArb,
        fc.constantFrom(null, 'a.test', 'none.test'),
        fc.integer({ min: 0, max: SPAN / 60_000 }),
        async (records, filters, site, fromMinute) => {
          const backend = new MemoryBackend(now);
          backend.add(records);
          const base: NormalizedQuery = {
            site,
            metrics: [],
            dimensions: [],
            filters,
            from: T0 + fromMinute * 60_000,
            to: now() + 1,
            order_by: [],
            limit: 10_000,
            offset: 0,
          };
          const lists = await backend.topLists(base, TOP_DIMS);
          TOP_DIMS.forEach((dim, k) => {
            const expected = referenceQuery(records, {
              ...base,
              metrics: ['visitors', 'pageviews'],
              dimensions: [dim],
              filters: [...filters, ['is', 'event:kind', ['pageview']]],
            });
            expect(byDimensions(lists[k]!), dim).toEqual(byDimensions(expected));
          });
        },
      ),
      { numRuns: 150, seed: 1127 },
    );
  });

  it('leave overall unchanged: the same answer as one general query per list', async () => {
    const records = fc.sample(recordArb, { numRuns: 400, seed: 5 });
    const batched = new MemoryBackend(now);
    batched.add(records);
    // The same engine seen only through QueryBackend, so overall falls back to one query per list.
    const plain: QueryBackend = {
      query: (q) => batched.query(q),
      funnel: (q) => batched.funnel(q),
      retention: (q) => batched.retention(q),
      journeys: (q) => batched.journeys(q),
      events: (q) => batched.events(q),
      numericPropKeys: (q) => batched.numericPropKeys(q),
      sites: () => batched.sites(),
      status: () => batched.status(),
    };
    for (const site of [undefined, 'b.test']) {
      const a = await new QueryService({ backend: batched, clock: now, cards: DEFAULT_CARDS }).overall({
        days: 3,
        site,
      });
      const b = await new QueryService({ backend: plain, clock: now, cards: DEFAULT_CARDS }).overall({
        days: 3,
        site,
      });
      expect(a).toEqual(b);
      expect(a.sources.length).toBeGreaterThan(0);
    }
  });
});
