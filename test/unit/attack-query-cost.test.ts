import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryService } from '../../query/service.ts';
import type { OverallResponse } from '../../shared/api.ts';
import type { QueryBackend } from '../../query/backend.ts';
import { c1Body, plantPath, sendC1, withHealthProbe } from '../support/attack-c1.ts';
import { postEvent, tempDir, testCollector } from '../support/helpers.ts';
import { startServer, type RunningServer } from '../support/server-process.ts';

// Security review C1/M1: public requests that made `overall` cost names × keys² (and the
// warm-up run it before the port was bound), and a visitor-planted path that made a `matches`
// filter backtrack for hours. Bounds are generous: the machine is shared and noisy.
const TOKEN = 'attack-test-admin-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };

describe('attack: query cost (real bundled server)', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let server: RunningServer;
  const env = () => ({
    ANALYTICS_DATA_DIR: dir.dir,
    ANALYTICS_ADMIN_TOKEN: TOKEN,
    // One source address sends everything here; the review's figures fit the default limit too.
    ANALYTICS_RATE_LIMIT: '0',
    // The growth caps (attack-growth.test.ts) would stop this flood at 1,000 names a day; lifted
    // here so the query itself is shown to stay bounded on whatever the caps let in.
    ANALYTICS_CAP_NAMES: '1000000',
    ANALYTICS_CAP_PROP_KEYS: '1000000',
  });

  beforeAll(async () => {
    dir = await tempDir('cfa-attack-');
    server = await startServer(env(), { bundle: true });
  });
  afterAll(async () => {
    await server?.stop('SIGKILL');
    await dir?.cleanup();
  });

  const overall = (signal: AbortSignal) =>
    fetch(`${server.url}/api/analytics/overall?days=1`, { headers: auth, signal }).then(async (res) => ({
      status: res.status,
      body: (await res.json()) as OverallResponse,
    }));

  for (const [total, batch] of [
    [20, 20],
    [300, 280],
  ] as const)
    it(`keeps overall quick and /healthz answering after ${total} requests of 16 new actions × 5 new keys`, async () => {
      expect(await sendC1(server.url, total - batch, batch)).toEqual({ 202: batch });
      const { result, ms, healthMaxMs } = await withHealthProbe(server.url, overall, 30_000);
      expect(result?.status).toBe(200);
      expect(ms).toBeLessThan(3_000);
      expect(healthMaxMs).toBeLessThan(1_500);
      const body = result!.body;
      const names = Object.keys(body.actions);
      expect(names.length).toBe(Math.min(100, total * 16));
      expect(body.actions_more).toEqual({
        names: total * 16 - names.length,
        count: total * 16 - names.length,
      });
      // Each shown name carries its own five sums and no other name's keys.
      for (const name of names.slice(0, 5)) {
        const [, r, e] = /^act-(\d+)-(\d+)$/.exec(name)!;
        expect(body.actions[name]).toEqual({
          count: 1,
          users: 1,
          sums: Object.fromEntries([0, 1, 2, 3, 4].map((j) => [`key-${r}-${e}-${j}`, j + 1])),
        });
      }
    });

  it('answers a catastrophic-backtracking pattern over planted paths promptly', async () => {
    for (const n of [30, 33, 36]) expect(await plantPath(server.url, `/${'a'.repeat(n)}!`)).toBe(202);
    const { result, ms, healthMaxMs } = await withHealthProbe(server.url, (signal) =>
      fetch(`${server.url}/api/analytics/query`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({
          metrics: ['pageviews'],
          dimensions: ['page'],
          filters: [['matches', 'page', ['(a+)+$']]],
          date_range: '24h',
        }),
        signal,
      }).then(async (res) => ({ status: res.status, body: await res.json() })),
    );
    expect(ms).toBeLessThan(3_000);
    expect(healthMaxMs).toBeLessThan(1_500);
    expect(result?.status).toBe(200);
    // `$` after a run of a's: no planted path ends in 'a' (they end in '!').
    expect(result?.body).toMatchObject({ results: [] });
  });

  it('stops at once on SIGTERM and, restarted on that data, answers /healthz within seconds', async () => {
    const stopAt = performance.now();
    expect(await server.stop('SIGTERM')).toBe(0);
    expect(performance.now() - stopAt).toBeLessThan(10_000);
    const startAt = performance.now();
    server = await startServer(env(), { bundle: true });
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(performance.now() - startAt).toBeLessThan(15_000);
    // The warm-up runs after listen; while it does, /healthz still answers promptly.
    const { result, healthMaxMs } = await withHealthProbe(server.url, overall, 30_000);
    expect(result?.status).toBe(200);
    expect(healthMaxMs).toBeLessThan(1_500);
  });
});

/** A backend that counts the figures it computes: rows × metrics of every general query. */
function counting(backend: QueryBackend): { backend: QueryBackend; cells: () => number } {
  let cells = 0;
  const wrapped = new Proxy(backend, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (prop === 'query')
        return async (q: Parameters<QueryBackend['query']>[0]) => {
          const rows = await target.query(q);
          cells += rows.length * q.metrics.length;
          return rows;
        };
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { backend: wrapped, cells: () => cells };
}

const propKey = fc.oneof(
  fc.constantFrom('amount', 'qty', 'price'),
  fc.string({ minLength: 1, maxLength: 12 }),
);
const wireEvent = fc.oneof(
  fc.record({
    k: fc.constant('a'),
    s: fc.constant('victim.example'),
    u: fc.constant('https://victim.example/app'),
    n: fc.oneof(fc.constantFrom('buy', 'share'), fc.string({ minLength: 1, maxLength: 20 })),
    p: fc.dictionary(
      propKey.filter((k) => k !== '__proto__' && k !== 'constructor' && k !== 'prototype'),
      fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.string({ maxLength: 5 })),
      { maxKeys: 30 },
    ),
  }),
  fc.record({
    k: fc.constant('p'),
    s: fc.constant('victim.example'),
    u: fc.webPath().map((p) => `https://victim.example/${p.replace(/^\//, '')}`),
  }),
);

describe('attack: query cost (property)', () => {
  it('no public body raises the figures computed by the next overall by more than a constant per event', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(wireEvent, { minLength: 1, maxLength: 25 }), { minLength: 1, maxLength: 12 }),
        async (bodies) => {
          const t = await testCollector();
          try {
            const { backend, cells } = counting(t.collector.query.backend);
            const service = new QueryService({ backend, clock: Date.now, cards: [], cacheMs: 0 });
            let events = 0;
            for (const body of bodies) {
              const res = await postEvent(t.collector, body);
              if (res.status === 202) events += body.length;
              await t.collector.queryReady;
              const before = cells();
              await service.overall({ days: 1 });
              // Per stored event at most one count row, one top-list row per list and up to
              // 20 own sums (2,000 per shown name at worst); a constant covers the empty answer.
              expect(cells() - before).toBeLessThanOrEqual(600 + 2_100 * events);
            }
          } finally {
            await t.cleanup();
          }
        },
      ),
      { numRuns: 15 },
    );
  });

  it('computes one sums query whose width is the shown names own keys, not every name key', async () => {
    const t = await testCollector();
    try {
      const { backend, cells } = counting(t.collector.query.backend);
      const service = new QueryService({ backend, clock: Date.now, cards: [], cacheMs: 0 });
      for (let r = 0; r < 20; r++) expect((await postEvent(t.collector, c1Body(r))).status).toBe(202);
      await t.collector.queryReady;
      const before = cells();
      const answer = await service.overall({ days: 1 });
      // 320 names × (2 + 1,600 keys) before the fix; now 320 × 2 counted + 100 × 500 summed, plus top lists.
      expect(cells() - before).toBeLessThan(60_000);
      expect(Object.keys(answer.actions)).toHaveLength(100);
    } finally {
      await t.cleanup();
    }
  });
});
