import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MAX_ANNOTATIONS_PER_SITE,
  MAX_GOALS_PER_SITE,
  type GoalsResponse,
  type OverallResponse,
} from '../../../shared/api.ts';
import type { Collector } from '../../../server/collector.ts';
import { collectorOver, fixedClock, testCollector } from '../../support/helpers.ts';
import { goalRecords, goalsApiTests, NOW, type Send } from '../../support/goals-scenario.ts';

const TOKEN = 'goals-http-test-token-0123456789';
let collector: Collector;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ collector, cleanup } = await collectorOver(
    goalRecords(),
    { ANALYTICS_ADMIN_TOKEN: TOKEN },
    fixedClock(NOW),
  ));
});
afterAll(() => cleanup());

/** Requests into the real app, as the dashboard sends them. */
function sender(app: Collector['app']): Send {
  return async (method, path, body) =>
    app.request(path, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
}

describe('goals, cards, annotations and intervals on the in-memory engine (settings.json)', () => {
  goalsApiTests(() => sender(collector.app));
});

describe('caps on what a site may hold', () => {
  it(`answers 409 past ${MAX_GOALS_PER_SITE} goals or ${MAX_ANNOTATIONS_PER_SITE} annotations per site, and keeps the others' room`, async () => {
    const t = await testCollector({ ANALYTICS_ADMIN_TOKEN: TOKEN });
    try {
      // Written as the store writes them: filling them through HTTP would cost a fsync each.
      const docs = [
        ...Array.from({ length: MAX_GOALS_PER_SITE }, (_, i) => ({
          kind: 'goal',
          id: `g${i}`,
          site: 'full.test',
          updated: i,
          body: { name: `Goal ${i}`, definition: { type: 'page', page: `/p${i}` } },
        })),
        ...Array.from({ length: MAX_ANNOTATIONS_PER_SITE }, (_, i) => ({
          kind: 'annotation',
          id: `a${i}`,
          site: 'full.test',
          updated: i,
          body: { at: NOW - i * 60_000, text: `Note ${i}` },
        })),
      ];
      await writeFile(join(t.dir, 'settings.json'), JSON.stringify({ format: 1, docs }));
      const send = sender(t.collector.app);
      const goal = { name: 'One more', type: 'page', page: '/more' };
      const refused = await send('POST', '/api/analytics/goals', { site: 'full.test', ...goal });
      expect(refused.status).toBe(409);
      expect(await refused.json()).toEqual({
        error: `at most ${MAX_GOALS_PER_SITE} goals per site; delete one first`,
      });
      expect((await send('POST', '/api/analytics/goals', { site: 'other.test', ...goal })).status).toBe(201);
      const note = { date: '2026-11-27', text: 'One more' };
      expect((await send('POST', '/api/analytics/annotations', { site: 'full.test', ...note })).status).toBe(
        409,
      );
      expect((await send('POST', '/api/analytics/annotations', { site: 'other.test', ...note })).status).toBe(
        201,
      );
      // Deleting one makes room again.
      expect((await send('DELETE', '/api/analytics/goals/g0')).status).toBe(200);
      expect((await send('POST', '/api/analytics/goals', { site: 'full.test', ...goal })).status).toBe(201);
    } finally {
      await t.cleanup();
    }
  });

  it('takes cards and goals another process wrote into settings.json on the next answer, without a restart', async () => {
    const clock = fixedClock(NOW);
    const t = await testCollector({ ANALYTICS_ADMIN_TOKEN: TOKEN }, clock);
    try {
      const send = sender(t.collector.app);
      const cardIds = async () =>
        (
          (await (await send('GET', '/api/analytics/overall?days=1&site=x.test')).json()) as OverallResponse
        ).metrics.map((m) => m.id);
      expect(await cardIds()).toEqual([]);
      // As `cfa` or a second collector over the same data dir would write it.
      const docs = [
        {
          kind: 'cards',
          id: 'site:x.test',
          site: 'x.test',
          updated: 1,
          body: [{ id: 'buys', label: 'Buys', kind: 'count', event: 'buy' }],
        },
        {
          kind: 'goal',
          id: 'g1',
          site: 'x.test',
          updated: 1,
          body: { name: 'Buy', definition: { type: 'action', action: 'buy' } },
        },
      ];
      await writeFile(join(t.dir, 'settings.json'), JSON.stringify({ format: 1, docs }));
      expect(await cardIds()).toEqual(['buys']);
      const goals = (await (await send('GET', '/api/analytics/goals?site=x.test')).json()) as GoalsResponse;
      expect(goals.goals.map((g) => g.name)).toEqual(['Buy']);
    } finally {
      await t.cleanup();
    }
  });

  it('answers 404, not a 500, for ids the store could never hold', async () => {
    const send = sender(collector.app);
    const body = { site: 'a.test', name: 'x', type: 'share' };
    for (const id of ['%20', 'x'.repeat(201), '%C3%A9'])
      expect((await send('PUT', `/api/analytics/goals/${id}`, body)).status).toBe(404);
    expect((await send('DELETE', '/api/analytics/annotations/%0A')).status).toBe(404);
  });
});
