import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { errorHandler } from '../../../collector/error-handler.ts';
import type { Collector } from '../../../server/collector.ts';
import { analyticsRoutes, MAX_QUERY_BODY_BYTES } from '../../../server/routes/analytics.ts';
import { QueryBudget, QueryTimeoutError } from '../../../query/budget.ts';
import { MemoryBackend } from '../../../query/memory/backend.ts';
import { QueryService } from '../../../query/service.ts';
import { collectorOver, fixedClock } from '../../support/helpers.ts';
import { goldenRecords, NOW } from '../../support/query/golden-data.ts';

const TOKEN = 'query-budget-test-token-0123456789';
const clock = fixedClock(NOW);
let collector: Collector;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ collector, cleanup } = await collectorOver(goldenRecords(), { ANALYTICS_ADMIN_TOKEN: TOKEN }, clock));
});
afterAll(async () => {
  await cleanup();
});

const auth = { authorization: `Bearer ${TOKEN}` };
const post = (path: string, body: string) =>
  collector.app.request(path, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body,
  });

/** A budget whose clock moves `step` ms each time it is read: deterministic "slow" work. */
function steppingBudget(ms: number, step: number): QueryBudget {
  let t = 0;
  return new QueryBudget(ms, () => (t += step));
}

const withErrors = (routes: Hono) => new Hono().route('/', routes).onError(errorHandler);

describe('query budget', () => {
  it('throws QueryTimeoutError once the turn spent its budget, and starts afresh next turn', async () => {
    const budget = steppingBudget(10, 4);
    budget.begin(); // t = 4
    budget.check(); // 8 − 4 ≤ 10
    budget.check(); // 12 − 4 ≤ 10
    expect(() => budget.check()).toThrow(QueryTimeoutError);
    await new Promise((resolve) => setImmediate(resolve));
    budget.begin();
    expect(() => budget.check()).not.toThrow();
  });

  it('gives every request the whole budget, even many requests in one turn (in-process callers)', async () => {
    const budget = steppingBudget(100, 30);
    const backend = new MemoryBackend(clock, undefined, budget);
    await backend.load(collector.store);
    const service = new QueryService({ backend, clock, cards: [], cacheMs: 0, budget });
    const body = { metrics: ['pageviews'], date_range: '30d' };
    // Without a restart per request the third would already be past 100 "ms".
    const answers = await Promise.all(Array.from({ length: 10 }, () => service.query(body)));
    expect(answers).toHaveLength(10);
  });

  it('answers 503 with Retry-After and a JSON reason when a query runs out of budget', async () => {
    const backend = new MemoryBackend(clock, undefined, steppingBudget(100, 60));
    await backend.load(collector.store);
    // Mounted with the app's error handler, which turns the timeout into the 503.
    const routes = withErrors(analyticsRoutes(new QueryService({ backend, clock, cards: [], cacheMs: 0 })));
    const res = await routes.request('/api/analytics/overall?days=30');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('2');
    expect(((await res.json()) as { error: string }).error).toMatch(/budget.*ANALYTICS_QUERY_TIMEOUT_MS/);
    // The same question with room enough is answered.
    const roomy = new MemoryBackend(clock, undefined, new QueryBudget(60_000));
    await roomy.load(collector.store);
    const ok = await withErrors(
      analyticsRoutes(new QueryService({ backend: roomy, clock, cards: [], cacheMs: 0 })),
    ).request('/api/analytics/overall?days=30');
    expect(ok.status).toBe(200);
  });
});

describe('query work caps', () => {
  it('refuses a query or funnel body past 256 KiB with 413 before parsing it', async () => {
    const filler = 'x'.repeat(MAX_QUERY_BODY_BYTES);
    for (const path of ['/api/analytics/query', '/api/analytics/funnel']) {
      const res = await post(path, JSON.stringify({ metrics: ['pageviews'], filler }));
      expect(res.status).toBe(413);
      expect(await res.json()).toEqual({ error: `body exceeds ${MAX_QUERY_BODY_BYTES} bytes` });
    }
  });

  it.each([
    [{ metrics: Array.from({ length: 21 }, (_, k) => `prop_sum:k${k}`) }, 'at most 20 prop_sum metrics'],
    [{ metrics: Array.from({ length: 41 }, () => 'visitors') }, 'metrics: at most 40'],
    [
      { metrics: ['pageviews'], filters: [['or', Array.from({ length: 201 }, () => ['is', 'page', ['/']])]] },
      'at most 200 filters',
    ],
  ])('refuses an over-sized query with 400: %#', async (body, message) => {
    const res = await post('/api/analytics/query', JSON.stringify(body));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toContain(message);
  });
});

describe('props read by a chosen key', () => {
  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])(
    'groups event:props:%s by own properties only (no inherited values)',
    async (key) => {
      const res = await post(
        '/api/analytics/query',
        JSON.stringify({ metrics: ['events'], dimensions: [`event:props:${key}`], date_range: 'all' }),
      );
      expect(res.status).toBe(200);
      const { results } = (await res.json()) as { results: { dimensions: string[] }[] };
      for (const row of results) expect(row.dimensions[0]).not.toMatch(/native code|object Object/);
    },
  );
});
