import { describe, expect, it } from 'vitest';
import type { Collector } from '../../../server/collector.ts';
import type { SettingsStore } from '../../../storage/settings/settings-store.ts';
import type { PropertiesResponse, QueryResponse, SavedFunnel, Segment } from '../../../shared/api.ts';
import { A, B } from './analysis-data.ts';

export const TOKEN = 'analysis-test-admin-token-0123456789';

export interface AnalysisTarget {
  collector: Collector;
  /** another writer over the same settings (the CLI, another collector) */
  outside: SettingsStore;
}

/**
 * Saved funnels, segments, property breakdowns and comparison over HTTP, through the real app
 * over analysisRecords(): the same expectations on every store (in-memory over JSON Lines in the
 * unit tests, ClickHouse in e2e).
 */
export function analysisSuite(target: () => AnalysisTarget): void {
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await target().collector.app.request(path, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : null };
  };
  const funnelOf = (steps: unknown, filters?: unknown, site: string | null = A) =>
    call('POST', '/api/analytics/funnel', {
      ...(site ? { site } : {}),
      date_range: '7d',
      steps,
      ...(filters ? { filters } : {}),
    });
  const visitors = (f: { body: Record<string, unknown> | null }) =>
    (f.body!.steps as { visitors: number }[]).map((s) => s.visitors);
  const STEPS = [
    { type: 'page', value: '/', label: 'Home' },
    { type: 'action', value: 'photo_processed' },
    { type: 'action', value: 'link_created' },
  ];

  describe('saved funnels', () => {
    it('are saved, listed per site and for all sites, changed and deleted', async () => {
      const made = await call('POST', '/api/analytics/funnels', {
        site: A,
        name: 'Upload to link',
        steps: STEPS,
      });
      expect(made.status).toBe(201);
      const funnel = made.body as unknown as SavedFunnel;
      expect(funnel).toMatchObject({ site: A, name: 'Upload to link', window_minutes: null });
      const other = await call('POST', '/api/analytics/funnels', {
        site: B,
        name: 'B',
        steps: STEPS.slice(0, 2),
        window_minutes: 60,
      });
      expect(other.status).toBe(201);
      const ofA = (await call('GET', `/api/analytics/funnels?site=${A}`)).body!.funnels as SavedFunnel[];
      expect(ofA.map((f) => f.name)).toEqual(['Upload to link']);
      const all = (await call('GET', '/api/analytics/funnels')).body!.funnels as SavedFunnel[];
      expect(all.map((f) => f.site).sort()).toEqual([A, B]);

      const changed = await call('PUT', `/api/analytics/funnels/${funnel.id}`, {
        site: A,
        name: 'Renamed',
        steps: STEPS,
        window_minutes: 30,
      });
      expect(changed.status).toBe(200);
      expect(changed.body).toMatchObject({ id: funnel.id, name: 'Renamed', window_minutes: 30 });
      expect(
        ((await call('GET', `/api/analytics/funnels?site=${A}`)).body!.funnels as SavedFunnel[])[0]!.name,
      ).toBe('Renamed');
      expect((await call('DELETE', `/api/analytics/funnels/${funnel.id}`)).status).toBe(204);
      expect((await call('DELETE', `/api/analytics/funnels/${funnel.id}`)).status).toBe(404);
      expect((await call('GET', `/api/analytics/funnels?site=${A}`)).body!.funnels).toEqual([]);
      await call('DELETE', `/api/analytics/funnels/${(other.body as unknown as SavedFunnel).id}`);
    });

    it.each([
      [{ site: A, name: 'x', steps: STEPS.slice(0, 1) }, /^steps: .*2/],
      [{ site: A, name: 'x', steps: Array.from({ length: 9 }, () => STEPS[0]) }, /^steps: .*8/],
      [{ site: A, name: 'x', steps: [STEPS[0], { type: 'action' }] }, /^steps\[1\]\.value: /],
      [{ site: A, name: 'x', steps: [STEPS[0], { type: 'click', value: 'a' }] }, /^steps\[1\]\.type: /],
      [{ site: A, name: '', steps: STEPS }, /^name: /],
      [{ site: 'not a site', name: 'x', steps: STEPS }, /^site: must be a domain name/],
      [{ site: A, name: 'x', steps: STEPS, window_minutes: 0 }, /^window_minutes: /],
      [{ site: A, name: 'x', steps: STEPS, colour: 'red' }, /^body: unknown field "colour"/],
      ['not json', /^body is not valid JSON/],
    ])('refuse a bad definition with a 400 naming the field (%j)', async (body, message) => {
      const res = await call('POST', '/api/analytics/funnels', body);
      expect(res.status).toBe(400);
      expect(res.body!.error).toMatch(message);
    });

    it('compute conversion and drop-off per step for one site, all sites and under filters', async () => {
      expect(visitors(await funnelOf(STEPS))).toEqual([4, 3, 2]);
      const de = await funnelOf(STEPS, [['is', 'country', ['DE']]]);
      expect(visitors(de)).toEqual([2, 2, 1]);
      expect((de.body!.steps as { drop_off: number; conversion_rate: number }[])[2]).toMatchObject({
        drop_off: 1,
        conversion_rate: 50,
      });
      expect(visitors(await funnelOf(STEPS, undefined, null))).toEqual([5, 4, 2]);
    });

    it('stop at 50 per site with a 409', async () => {
      const ids: string[] = [];
      for (let n = 0; n < 50; n++) {
        const res = await call('POST', '/api/analytics/funnels', {
          site: 'cap.test',
          name: `f${n}`,
          steps: STEPS,
        });
        expect(res.status).toBe(201);
        ids.push((res.body as unknown as SavedFunnel).id);
      }
      const over = await call('POST', '/api/analytics/funnels', {
        site: 'cap.test',
        name: 'one more',
        steps: STEPS,
      });
      expect(over.status).toBe(409);
      expect(over.body!.error).toMatch(/at most 50 funnels per site/);
      // another site still has room
      const elsewhere = await call('POST', '/api/analytics/funnels', {
        site: 'cap2.test',
        name: 'x',
        steps: STEPS,
      });
      expect(elsewhere.status).toBe(201);
      for (const id of [...ids, (elsewhere.body as unknown as SavedFunnel).id])
        await call('DELETE', `/api/analytics/funnels/${id}`);
    }, 60_000);

    it('see a funnel written by another process without a restart', async () => {
      await target().outside.put({
        kind: 'funnel',
        id: 'from-outside',
        site: A,
        body: { site: A, name: 'Imported', steps: STEPS, window_minutes: null },
      });
      // ClickHouse's settings store caches a kind for a second: other writers show within it.
      await expect
        .poll(
          async () =>
            ((await call('GET', `/api/analytics/funnels?site=${A}`)).body!.funnels as SavedFunnel[]).map(
              (f) => f.id,
            ),
          { timeout: 5_000, interval: 200 },
        )
        .toContain('from-outside');
      expect((await call('DELETE', '/api/analytics/funnels/from-outside')).status).toBe(204);
    });
  });

  describe('saved segments', () => {
    const FILTERS = [
      ['is', 'country', ['DE', 'FR']],
      ['is_not', 'page', ['/pricing']],
    ];
    const count = async (filters: unknown, site: string | null = A) =>
      (
        (
          await call('POST', '/api/analytics/query', {
            ...(site ? { site } : {}),
            metrics: ['visitors'],
            date_range: '7d',
            filters,
          })
        ).body as unknown as QueryResponse
      ).results[0]!.metrics[0];

    it('are saved with their owner, listed, applied, changed and deleted', async () => {
      const made = await call('POST', '/api/analytics/segments', {
        site: A,
        name: 'Europe',
        filters: FILTERS,
      });
      expect(made.status).toBe(201);
      const segment = made.body as unknown as Segment;
      expect(segment).toMatchObject({ site: A, name: 'Europe', owner: 'admin', shared: false });
      const listed = (await call('GET', `/api/analytics/segments?site=${A}`)).body!.segments as Segment[];
      expect(listed.map((s) => s.id)).toEqual([segment.id]);
      expect((await call('GET', `/api/analytics/segments?site=${B}`)).body!.segments).toEqual([]);
      // applied: its filters as the query's
      expect(await count(listed[0]!.filters)).toBe(4);
      expect(await count([])).toBe(5);
      const changed = await call('PUT', `/api/analytics/segments/${segment.id}`, {
        site: A,
        name: 'Germany',
        filters: [['is', 'country', ['DE']]],
        shared: true,
      });
      expect(changed.body).toMatchObject({ name: 'Germany', shared: true, owner: 'admin' });
      expect(await count((changed.body as unknown as Segment).filters)).toBe(2);
      expect((await call('GET', '/api/analytics/segments')).body!.segments).toHaveLength(1);
      expect((await call('DELETE', `/api/analytics/segments/${segment.id}`)).status).toBe(204);
      const gone = await call('PUT', `/api/analytics/segments/${segment.id}`, {
        site: A,
        name: 'Germany',
        filters: [['is', 'country', ['DE']]],
      });
      expect(gone.status).toBe(404);
    });

    it('filter with several values, is not, contains and numeric comparisons', async () => {
      expect(await count([['contains', 'page', ['pric']]])).toBe(1);
      expect(await count([['is_not', 'country', ['DE', 'US']]])).toBe(2);
      const actions = async (filters: unknown) =>
        (
          (
            await call('POST', '/api/analytics/query', {
              site: A,
              metrics: ['actions'],
              date_range: '7d',
              filters,
            })
          ).body as unknown as QueryResponse
        ).results[0]!.metrics[0];
      expect(await actions([['gt', 'event:props:processed_count', [2]]])).toBe(2);
      expect(await actions([['lte', 'event:props:processed_count', [3]]])).toBe(2);
    });

    it.each([
      [{ site: A, name: 'x', filters: [] }, /^filters: /],
      [{ site: A, name: 'x', filters: [['equals', 'country', ['DE']]] }, /^filters: .*unknown operator/],
      [{ site: A, name: 'x', filters: [['is', 'planet', ['Mars']]] }, /^filters: .*unknown dimension/],
      [{ site: A, name: 'x', filters: [['gt', 'country', ['many']]] }, /^filters: .*one number/],
      [{ site: A, filters: [['is', 'country', ['DE']]] }, /^name: /],
      [{ site: A, name: 'x', filters: [['is', 'country', ['DE']]], shared: 'yes' }, /^shared: /],
    ])('refuse a bad segment with a 400 naming the field (%j)', async (body, message) => {
      const res = await call('POST', '/api/analytics/segments', body);
      expect(res.status).toBe(400);
      expect(res.body!.error).toMatch(message);
    });
  });

  describe('property breakdowns', () => {
    const props = async (query: string) => {
      const res = await call('GET', `/api/analytics/properties?action=photo_processed&date_range=7d${query}`);
      expect(res.status).toBe(200);
      return res.body as unknown as PropertiesResponse;
    };

    it('break an action down by each prop, with sum, average and a histogram for numbers', async () => {
      const answer = await props(`&site=${A}`);
      expect(answer).toMatchObject({ action: 'photo_processed', count: 3, visitors: 3 });
      expect(answer.properties.map((p) => p.key)).toEqual(['plan', 'processed_count']);
      const [plan, count] = answer.properties;
      expect(plan!.values).toEqual([
        { value: 'pro', count: 2, visitors: 2 },
        { value: 'free', count: 1, visitors: 1 },
      ]);
      expect(plan!.numeric).toBeNull();
      expect(count!.numeric).toMatchObject({ count: 3, sum: 15, avg: 5, min: 2, max: 10 });
      const bars = count!.numeric!.histogram;
      expect(bars).toHaveLength(9);
      expect(bars.filter((b) => b.count > 0).map((b) => b.from)).toEqual([2, 3, 10]);
    });

    it('cover all sites, and follow the filters', async () => {
      const all = await props('');
      expect(all.count).toBe(4);
      const count = all.properties.find((p) => p.key === 'processed_count')!;
      expect(count.numeric).toMatchObject({ count: 4, sum: 22, avg: 5.5 });
      // b1's processed_count has no plan: plan is carried by 3 of the 4
      expect(all.properties.find((p) => p.key === 'plan')!.count).toBe(3);
      const fr = await props(
        `&site=${A}&filters=${encodeURIComponent(JSON.stringify([['is', 'country', ['FR']]]))}`,
      );
      expect(fr.count).toBe(1);
      expect(fr.properties.find((p) => p.key === 'processed_count')!.numeric).toMatchObject({
        sum: 10,
        avg: 10,
      });
      expect(fr.query!.filters).toEqual([['is', 'country', ['FR']]]);
    });

    it('answer 400 without an action', async () => {
      const res = await call('GET', '/api/analytics/properties?date_range=7d');
      expect(res.status).toBe(400);
      expect(res.body!.error).toMatch(/^action /);
    });
  });

  describe('comparison', () => {
    const daily = async (compare: string, filters?: unknown, site: string | null = A) => {
      const res = await call('POST', '/api/analytics/query', {
        ...(site ? { site } : {}),
        metrics: ['visitors'],
        dimensions: ['time:day'],
        date_range: '7d',
        compare,
        ...(filters ? { filters } : {}),
        order_by: [['time:day', 'asc']],
      });
      expect(res.status).toBe(200);
      const body = res.body as unknown as QueryResponse;
      return Object.fromEntries(body.results.map((r) => [r.dimensions[0], [r.metrics[0], r.comparison![0]]]));
    };

    it('lines up the previous period day by day, with days that had visits only then', async () => {
      expect(await daily('previous_period')).toEqual({
        '2026-11-21': [0, 1],
        '2026-11-23': [1, 0],
        '2026-11-24': [1, 1],
        '2026-11-25': [2, 1],
        '2026-11-26': [1, 0],
      });
      expect(await daily('previous_period', [['is', 'country', ['DE']]])).toEqual({
        '2026-11-21': [0, 1],
        '2026-11-25': [1, 1],
        '2026-11-26': [1, 0],
      });
      const all = await daily('previous_period', undefined, null);
      expect(all['2026-11-26']).toEqual([2, 0]);
    });

    it('compares with the same days a year earlier', async () => {
      expect(await daily('year_over_year')).toEqual({
        '2026-11-23': [1, 0],
        '2026-11-24': [1, 1],
        '2026-11-25': [2, 0],
        '2026-11-26': [1, 2],
      });
      const res = await call('POST', '/api/analytics/query', {
        site: A,
        metrics: ['visitors'],
        date_range: ['2026-11-20', '2026-11-26'],
        compare: 'year_over_year',
      });
      const body = res.body as unknown as QueryResponse;
      expect(body.results[0]).toMatchObject({ metrics: [5], comparison: [3] });
      expect(body.comparison_range).toEqual({
        mode: 'year_over_year',
        from: Date.parse('2025-11-20T00:00:00Z'),
        to: Date.parse('2025-11-27T00:00:00Z'),
      });
    });

    it('gives each breakdown row its change', async () => {
      const res = await call('POST', '/api/analytics/query', {
        site: A,
        metrics: ['visitors', 'bounce_rate'],
        dimensions: ['country'],
        date_range: '7d',
        compare: 'previous_period',
      });
      const rows = (res.body as unknown as QueryResponse).results;
      const de = rows.find((r) => r.dimensions[0] === 'DE')!;
      expect(de.metrics[0]).toBe(2);
      expect(de.comparison![0]).toBe(2);
      expect(rows.find((r) => r.dimensions[0] === 'US')!.comparison).toEqual([0, 0]);
    });

    it('refuses an unknown comparison', async () => {
      const res = await call('POST', '/api/analytics/query', { metrics: ['visitors'], compare: 'last_week' });
      expect(res.status).toBe(400);
      expect(res.body!.error).toMatch(/compare must be "previous_period" or "year_over_year"/);
    });
  });
}
