import { isDeepStrictEqual } from 'node:util';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorHandler } from '../../collector/error-handler.ts';
import { analyticsRoutes } from '../../server/routes/analytics.ts';
import { OWNER } from '../../collector/access/principal.ts';
import type { NormalizedQuery, QueryRow } from '../../shared/api.ts';
import {
  combinationRecords,
  combinations,
  FILTER_DIMENSIONS,
  NOW,
  OPERATORS,
  RANGES,
  type Combination,
} from '../support/query/combinations.ts';
import { byDimensions } from '../support/query/generated.ts';
import { referenceQuery } from '../support/query/reference.ts';
import { openParityPair, type ParityPair } from './parity-pair.ts';

/*
 * The combinatorial test of test/unit/query/query-combinations.test.ts on ClickHouse: the same history
 * in both engines, each behind the real analytics routes. ClickHouse takes ~0.1–1 s a request, so
 * the cross product is sampled: the general query (the dashboard's cards, top lists and chart)
 * meets every dimension × operator, and every other route a deterministic seventh of its cases,
 * which still gives each route every range × site pair (checked below).
 */

const records = combinationRecords();
let pair: ParityPair;
let memory: Hono;
let clickhouse: Hono;

beforeAll(async () => {
  pair = await openParityPair(records, { database: 'combinations', clock: () => NOW, cards: [] });
  // With the app's error handler, so a refused combination shows its 400 and reason.
  // As the admin token: the guard (tested on its own in auth-routes) would set this requester.
  const asOwner = (app: Hono) =>
    new Hono()
      .use(async (c, next) => {
        c.set('principal', { ...OWNER, session: null });
        await next();
      })
      .route('/', app)
      .onError(errorHandler);
  memory = asOwner(analyticsRoutes(pair.memory));
  clickhouse = asOwner(analyticsRoutes(pair.clickhouse));
});
afterAll(async () => {
  await pair?.close();
});

const cases = combinations().filter(
  (c) => c.route === 'query breakdown' || c.route === 'query totals' || c.op === null || c.k % 7 === 0,
);

function send(app: Hono, c: Combination): Promise<Response> {
  return Promise.resolve(
    app.request(c.path, {
      method: c.method,
      headers: { 'content-type': 'application/json' },
      body: c.body === undefined ? undefined : JSON.stringify(c.body),
    }),
  );
}

const rows = (list: QueryRow[]) =>
  byDimensions(list.map((r) => ({ dimensions: r.dimensions, metrics: r.metrics })));

describe('every route × dimension × operator × range × site on ClickHouse', () => {
  it('samples every dimension × operator and every route × range × site', () => {
    const pairs = new Set(cases.filter((c) => c.op).map((c) => `${c.dimension} ${c.op}`));
    expect(pairs.size).toBe(FILTER_DIMENSIONS.length * OPERATORS.length);
    const routes = new Set(cases.map((c) => c.route));
    const covered = new Set(cases.map((c) => `${c.route} ${c.range} ${c.site}`));
    expect(covered.size).toBe(routes.size * RANGES.length * 2);
    console.log(`clickhouse combinations: ${cases.length} requests over ${routes.size} routes`);
  });

  // One test per route, so a slow route on a busy machine stays within its own time budget.
  it.each([...new Set(cases.map((c) => c.route))])(
    '%s: every sampled combination answers 2xx, exactly as the in-memory engine',
    async (route) => {
      const failures: string[] = [];
      for (const c of cases.filter((c) => c.route === route)) {
        const label = `${c.dimension} ${c.op} ${c.range} ${c.site ?? 'all'}`;
        const [a, b] = await Promise.all([send(memory, c), send(clickhouse, c)]);
        if (b.status !== a.status || (b.status !== 200 && !(c.route === 'user' && b.status === 404))) {
          failures.push(`${label}: memory ${a.status}, clickhouse ${b.status} ${await b.text()}`);
          continue;
        }
        const [x, y] = [await a.json(), await b.json()];
        if (c.path === '/api/analytics/query') {
          const want = rows(referenceQuery(records, { ...(y.query as NormalizedQuery), limit: 10_000 }));
          if (JSON.stringify(rows(y.results)) !== JSON.stringify(want))
            failures.push(`${label}: differs from reference`);
        } else if (!isDeepStrictEqual(y, x)) failures.push(`${label}: differs from memory`);
      }
      expect(failures).toEqual([]);
    },
    300_000,
  );
});
