import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Collector } from '../../../server/collector.ts';
import type { NormalizedQuery, QueryRow } from '../../../shared/api.ts';
import { collectorOver, fixedClock } from '../../support/helpers.ts';
import {
  combinationRecords,
  combinations,
  FILTER_DIMENSIONS,
  FILTER_ROUTES,
  NOW,
  OPERATORS,
  PLAIN_ROUTES,
  RANGES,
  type HttpCase,
} from '../../support/query/combinations.ts';
import { byDimensions } from '../../support/query/generated.ts';
import { randomRequest } from '../../support/query/random-requests.ts';
import { referenceQuery } from '../../support/query/reference.ts';

const TOKEN = 'query-combinations-token-0123456789';
const records = combinationRecords();
let collector: Collector;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ collector, cleanup } = await collectorOver(
    records,
    {
      ANALYTICS_ADMIN_TOKEN: TOKEN,
      ANALYTICS_QUERY_CACHE_MS: '0',
      // The default funnel belongs to a.test; on b.test a funnel without steps is a 400.
      ANALYTICS_CARDS_SITES: 'a.test',
    },
    fixedClock(NOW),
  ));
});
afterAll(async () => {
  await cleanup?.();
});

async function send(c: HttpCase): Promise<Response> {
  return collector.app.request(c.path, {
    method: c.method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: c.body === undefined ? undefined : JSON.stringify(c.body),
  });
}

const rows = (list: QueryRow[]) =>
  byDimensions(list.map((r) => ({ dimensions: r.dimensions, metrics: r.metrics })));

describe('every route × dimension × operator × range × site (in-memory engine)', () => {
  const cases = combinations();

  it('covers every filter route × dimension × operator, and every route × range × site', () => {
    const seen = (key: (c: (typeof cases)[number]) => string) => new Set(cases.map(key));
    const filterRoutes = Object.keys(FILTER_ROUTES).length;
    expect(seen((c) => `${c.route} ${c.dimension} ${c.op}`).size).toBe(
      filterRoutes * FILTER_DIMENSIONS.length * OPERATORS.length + Object.keys(PLAIN_ROUTES).length,
    );
    const routes = filterRoutes + Object.keys(PLAIN_ROUTES).length;
    expect(seen((c) => `${c.route} ${c.range} ${c.site}`).size).toBe(routes * RANGES.length * 2);
  });

  it('answers every combination 2xx, and each general query equals the naive reference', async () => {
    const failures: string[] = [];
    let compared = 0;
    for (const c of cases) {
      const res = await send(c);
      const label = `${c.route} ${c.dimension} ${c.op} ${c.range} ${c.site ?? 'all'}: ${res.status}`;
      // A user with no record in the range is a 404 by the API's rule, not a failure.
      if (c.route === 'user' && res.status === 404) continue;
      if (res.status !== 200) {
        failures.push(`${label} ${await res.text()}`);
        continue;
      }
      const body = await res.json();
      if (c.path === '/api/analytics/query') {
        const q = body.query as NormalizedQuery;
        const want = rows(referenceQuery(records, { ...q, limit: 10_000 }));
        if (JSON.stringify(rows(body.results)) !== JSON.stringify(want)) failures.push(`${label} differs`);
        compared++;
      } else if (c.op !== null && 'query' in body && body.query.filters) {
        // The reports say which filters they applied.
        if (body.query.filters.length !== 1) failures.push(`${label} did not apply its filter`);
      }
    }
    expect(failures).toEqual([]);
    expect(compared).toBeGreaterThan(400);
    // Thousands of requests in one test: 4–5 s on a quiet machine, over 20 s on a loaded one. The
    // bound is for a hang, never a speed target (those live in npm run bench).
  }, 120_000);
});

describe('random valid queries (in-memory engine)', () => {
  it('never answer 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(randomRequest, async (c) => {
        const res = await send(c);
        if (res.status >= 500)
          throw new Error(`${c.method} ${c.path} ${JSON.stringify(c.body)}: ${res.status}`);
        expect([200, 400, 404]).toContain(res.status);
      }),
      { numRuns: 300, seed: 13 },
    );
  });
});
