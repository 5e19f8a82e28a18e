// The goals, cards, annotations and interval API as an admin uses it, written once and run on both
// stores: the in-memory engine through the real app (test/unit/server/goals-http.test.ts) and
// ClickHouse (test/e2e/clickhouse-goals.test.ts).

import { describe, expect, it } from 'vitest';
import type { Goal, GoalsResponse, OverallResponse, QueryResponse } from '../../shared/api.ts';
import { emptyRecord, type PropValue, type StoredRecord } from '../../storage/schema.ts';

/** Friday 2026-11-27 12:00 UTC */
export const NOW = Date.parse('2026-11-27T12:00:00Z');
export const SITE_A = 'a.test';
export const SITE_B = 'b.test';
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

interface Spec {
  site?: string;
  at: number;
  kind: StoredRecord['kind'];
  visitor: string;
  path?: string;
  name?: string;
  country: string;
  source?: string;
  props?: Record<string, PropValue>;
}

function record(s: Spec): StoredRecord {
  const r = emptyRecord(s.kind, NOW + s.at, s.site ?? SITE_A);
  return Object.assign(r, {
    visitor: s.visitor,
    path: s.path ?? '/',
    name: s.name ?? '',
    country: s.country,
    source: s.source ?? '',
    channel: s.source ? 'search' : 'direct',
    browser: 'Chrome',
    device: 'desktop',
    props: s.props ?? {},
    recipients: s.kind === 'share' ? 2 : 0,
  });
}

/**
 * In the last day on a.test: va (DE, from Google) views / and /pricing, searches with 3 matches
 * and shares on WhatsApp; vb (FR) views / and searches with 0 matches; vc (DE) reads two blog
 * posts. vd (FR) viewed / three days ago. On b.test, vx (US) views /pricing and finds 5 matches.
 */
export function goalRecords(): StoredRecord[] {
  const va = { visitor: 'va', country: 'DE', source: 'Google' };
  const vb = { visitor: 'vb', country: 'FR' };
  const vc = { visitor: 'vc', country: 'DE' };
  return [
    record({ ...va, at: -3 * HOUR, kind: 'pageview' }),
    record({ ...va, at: -3 * HOUR + MIN, kind: 'pageview', path: '/pricing' }),
    record({
      ...va,
      at: -3 * HOUR + 2 * MIN,
      kind: 'action',
      path: '/pricing',
      name: 'search_performed',
      props: { matches_found: 3 },
    }),
    record({ ...va, at: -3 * HOUR + 3 * MIN, kind: 'share', path: '/pricing', name: 'whatsapp' }),
    record({ ...vb, at: -2 * HOUR, kind: 'pageview' }),
    record({
      ...vb,
      at: -2 * HOUR + MIN,
      kind: 'action',
      name: 'search_performed',
      props: { matches_found: 0 },
    }),
    record({ ...vc, at: -HOUR, kind: 'pageview', path: '/blog/post-1' }),
    record({ ...vc, at: -HOUR + MIN, kind: 'pageview', path: '/blog/post-2' }),
    record({ visitor: 'vd', country: 'FR', at: -3 * DAY, kind: 'pageview' }),
    record({ site: SITE_B, visitor: 'vx', country: 'US', at: -2 * HOUR, kind: 'pageview', path: '/pricing' }),
    record({
      site: SITE_B,
      visitor: 'vx',
      country: 'US',
      at: -2 * HOUR + MIN,
      kind: 'action',
      path: '/pricing',
      name: 'search_performed',
      props: { matches_found: 5 },
    }),
  ].sort((a, b) => a.ts - b.ts);
}

export type Send = (method: string, path: string, body?: unknown) => Promise<Response>;

const FOUND = {
  name: 'Found a photo',
  type: 'action',
  action: 'search_performed',
  condition: { prop: 'matches_found', op: 'gt', value: 0 },
} as const;

/**
 * The HTTP tests of issue 16's goals, cards, annotations and intervals. `send` reaches a collector
 * over goalRecords() whose clock stands at NOW and whose settings start empty.
 */
export function goalsApiTests(send: () => Send): void {
  const json = async <T>(method: string, path: string, body?: unknown, status = 200): Promise<T> => {
    const res = await send()(method, path, body);
    const text = await res.text();
    expect(res.status, `${method} ${path}: ${text}`).toBe(status);
    return JSON.parse(text) as T;
  };
  const goalsOf = async (query: string) =>
    new Map(
      (await json<GoalsResponse>('GET', `/api/analytics/goals?${query}`)).goals.map((g) => [
        g.name,
        [g.visitors, g.conversions, g.conversion_rate],
      ]),
    );

  describe('goals', () => {
    const created: Goal[] = [];
    it('defines page (with a wildcard), action (with a property condition) and share goals', async () => {
      for (const body of [
        { site: SITE_A, name: 'Pricing', type: 'page', page: '/pricing' },
        { site: SITE_A, name: 'Blog', type: 'page', page: '/blog/*' },
        { site: SITE_A, ...FOUND },
        { site: SITE_A, name: 'Searched', type: 'action', action: 'search_performed' },
        { site: SITE_A, name: 'WhatsApp', type: 'share', channel: 'whatsapp' },
        { site: SITE_A, name: 'Any share', type: 'share' },
        { site: SITE_B, ...FOUND, name: 'Found on B' },
      ])
        created.push(await json<Goal>('POST', '/api/analytics/goals', body, 201));
      expect(created.map((g) => g.site)).toEqual([...Array(6).fill(SITE_A), SITE_B]);
      expect(created[1]!.filter).toEqual([
        'and',
        [
          ['is', 'event:kind', ['pageview']],
          ['matches', 'page', ['^\\/blog\\/.*$']],
        ],
      ]);
    });

    it("counts each goal's visitors, conversions and rate over one site", async () => {
      expect(await goalsOf(`site=${SITE_A}&days=1`)).toEqual(
        new Map([
          ['Pricing', [3, 1, 33.33]],
          ['Blog', [3, 1, 33.33]],
          ['Found a photo', [3, 1, 33.33]],
          ['Searched', [3, 2, 66.67]],
          ['WhatsApp', [3, 1, 33.33]],
          ['Any share', [3, 1, 33.33]],
        ]),
      );
      // Three days ago vd visited: in 7 days, but converted nowhere.
      expect((await goalsOf(`site=${SITE_A}&days=7`)).get('Searched')).toEqual([4, 2, 50]);
    });

    it('counts under filters', async () => {
      const fr = encodeURIComponent(JSON.stringify([['is', 'country', ['FR']]]));
      const figures = await goalsOf(`site=${SITE_A}&days=1&filters=${fr}`);
      expect(figures.get('Found a photo')).toEqual([1, 0, 0]);
      expect(figures.get('Searched')).toEqual([1, 1, 100]);
    });

    it("lists every site's goals without a site, each counted over its own site", async () => {
      const all = await json<GoalsResponse>('GET', '/api/analytics/goals?days=1');
      expect(all.goals).toHaveLength(7);
      expect(all.query.site).toBeNull();
      const found = all.goals.filter((g) => g.definition.type === 'action' && g.name.startsWith('Found'));
      expect(found.map((g) => [g.site, g.visitors, g.conversions])).toEqual([
        [SITE_A, 3, 1],
        [SITE_B, 1, 1],
      ]);
    });

    it('breaks conversions down by any dimension through the general query', async () => {
      const found = created[2]!;
      const q = await json<QueryResponse>('POST', '/api/analytics/query', {
        site: SITE_A,
        metrics: ['visitors'],
        dimensions: ['country'],
        filters: [found.filter],
        date_range: '24h',
      });
      expect(q.results).toEqual([{ dimensions: ['DE'], metrics: [1] }]);
      const searched = await json<QueryResponse>('POST', '/api/analytics/query', {
        site: SITE_A,
        metrics: ['visitors'],
        dimensions: ['source'],
        filters: [created[3]!.filter],
        date_range: '24h',
      });
      expect(searched.results).toEqual([
        { dimensions: [''], metrics: [1] },
        { dimensions: ['Google'], metrics: [1] },
      ]);
    });

    it("breaks a goal's converted visitors down by what else they did, through a visitor filter", async () => {
      const pricing = created[0]!;
      const byPage = await json<QueryResponse>('POST', '/api/analytics/query', {
        site: SITE_A,
        metrics: ['visitors'],
        dimensions: ['page'],
        filters: [['visitor', pricing.filter]],
        date_range: '24h',
      });
      // va reached /pricing: every page va saw counts, vb's and vc's do not.
      expect(byPage.results).toEqual([
        { dimensions: ['/'], metrics: [1] },
        { dimensions: ['/pricing'], metrics: [1] },
      ]);
      const notConverted = await json<QueryResponse>('POST', '/api/analytics/query', {
        site: SITE_A,
        metrics: ['visitors'],
        filters: [['not', ['visitor', created[2]!.filter]]],
        date_range: '24h',
      });
      expect(notConverted.results).toEqual([{ dimensions: [], metrics: [2] }]);
    });

    it.each([
      [
        ['visitor', ['is', 'source', ['Google']]],
        'filters[0][1]: a visitor filter reads record dimensions only',
      ],
      [
        ['visitor', ['visitor', ['is', 'page', ['/']]]],
        'filters[0][1]: a visitor filter reads record dimensions only',
      ],
      [
        ['visitor', ['is', 'visitor:action', ['x']]],
        'filters[0][1]: a visitor filter reads record dimensions only',
      ],
      [['visitor'], 'filters[0]: ["visitor", filter]'],
    ])('refuses the visitor filter %j with a 400', async (f, message) => {
      const res = await send()('POST', '/api/analytics/query', { metrics: ['visitors'], filters: [f] });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toContain(message);
    });

    it('changes and deletes a goal', async () => {
      const blog = created[1]!;
      const changed = await json<Goal>('PUT', `/api/analytics/goals/${blog.id}`, {
        site: SITE_A,
        name: 'First post',
        type: 'page',
        page: '/blog/post-1',
      });
      expect(changed).toMatchObject({
        id: blog.id,
        name: 'First post',
        definition: { page: '/blog/post-1' },
      });
      expect((await goalsOf(`site=${SITE_A}&days=1`)).get('First post')).toEqual([3, 1, 33.33]);
      const moved = await send()('PUT', `/api/analytics/goals/${blog.id}`, { ...changed, site: SITE_B });
      expect(moved.status).toBe(400);
      expect(await json('DELETE', `/api/analytics/goals/${blog.id}`)).toEqual({ deleted: true });
      expect((await send()('DELETE', `/api/analytics/goals/${blog.id}`)).status).toBe(404);
      expect((await goalsOf(`site=${SITE_A}&days=1`)).has('First post')).toBe(false);
    });

    it.each([
      [{ site: SITE_A, type: 'page', page: '/x' }, 'name'],
      [{ site: SITE_A, name: 'x', type: 'visit' }, 'type'],
      [{ site: SITE_A, name: 'x', type: 'page', page: 'pricing' }, 'page'],
      [{ site: 'not a site', name: 'x', type: 'page', page: '/' }, 'site'],
      [
        {
          site: SITE_A,
          name: 'x',
          type: 'action',
          action: 'a',
          condition: { prop: 'p', op: 'like', value: 1 },
        },
        'condition.op',
      ],
      [
        {
          site: SITE_A,
          name: 'x',
          type: 'action',
          action: 'a',
          condition: { prop: 'p', op: 'gt', value: 'many' },
        },
        'condition.value',
      ],
      [{ site: SITE_A, name: 'x\u0007', type: 'share' }, 'name'],
      [{ site: SITE_A, name: 'x', type: 'share', colour: 'red' }, 'body'],
    ])('refuses %j with a 400 naming %s', async (body, field) => {
      const res = await send()('POST', '/api/analytics/goals', body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error.startsWith(`${field}:`)).toBe(true);
    });

    it('refuses malformed JSON, and unknown ranges of the figures, with a 400', async () => {
      expect((await send()('POST', '/api/analytics/goals', '{"site":')).status).toBe(400);
      expect((await send()('GET', '/api/analytics/goals?days=0')).status).toBe(400);
      expect((await send()('GET', '/api/analytics/goals?site=a%20b')).status).toBe(400);
    });
  });

  describe('metric cards', () => {
    const cardsOf = async (site: string) =>
      (await json<OverallResponse>('GET', `/api/analytics/overall?days=1&site=${site}`)).metrics.map((m) => [
        m.id,
        m.value,
      ]);
    it("replaces a site's cards at once, without a restart or a stale cached answer", async () => {
      // The shipped CloudFace cards belong to no site by default (ANALYTICS_CARDS_SITES); this
      // answer also fills the answer cache, which must not serve it again after the change.
      expect(await cardsOf(SITE_A)).toEqual([]);
      await json('PUT', `/api/analytics/cards?site=${SITE_A}`, {
        cards: [
          { id: 'searches', label: 'Searches', kind: 'count', event: 'search_performed' },
          {
            id: 'found',
            label: 'Found',
            kind: 'rate',
            event: 'search_performed',
            where: { prop: 'matches_found', op: 'gt', value: 0 },
          },
        ],
      });
      expect(await cardsOf(SITE_A)).toEqual([
        ['searches', 2],
        ['found', 50],
      ]);
      const saved = await json<{ source: string }>('GET', `/api/analytics/cards?site=${SITE_A}`);
      expect(saved.source).toBe('site');
    });

    it('keeps a default set for the other sites, and falls back to it when a site set is deleted', async () => {
      await json('PUT', '/api/analytics/cards', {
        cards: [{ id: 'shares', label: 'Shares', kind: 'count', event: 'share' }],
      });
      expect(await cardsOf(SITE_B)).toEqual([['shares', 0]]);
      expect((await cardsOf(SITE_A))[0]![0]).toBe('searches');
      const sites = await json<{ applies: Record<string, { cards: string[] }> }>(
        'GET',
        '/api/analytics/sites',
      );
      expect(sites.applies[SITE_A]!.cards).toEqual(['searches', 'found']);
      await json('DELETE', `/api/analytics/cards?site=${SITE_A}`);
      expect(await cardsOf(SITE_A)).toEqual([['shares', 1]]);
      expect((await send()('DELETE', `/api/analytics/cards?site=${SITE_A}`)).status).toBe(404);
    });

    it.each([
      [{ cards: [{ id: 'x', label: 'X', kind: 'sum', event: 'e' }] }, 'cards.0.prop'],
      [{ cards: [{ id: 'x', label: 'X', kind: 'average', event: 'e' }] }, 'cards.0.kind'],
      [{ cards: [{ id: 'x y', label: 'X', kind: 'count', event: 'e' }] }, 'cards.0.id'],
      [
        {
          cards: Array.from({ length: 31 }, (_, i) => ({
            id: `c${i}`,
            label: 'X',
            kind: 'count',
            event: 'e',
          })),
        },
        'cards',
      ],
      [{ cards: 'none' }, 'cards'],
    ])('refuses %j with a 400 naming %s', async (body, field) => {
      const res = await send()('PUT', `/api/analytics/cards?site=${SITE_A}`, body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error.startsWith(`${field}:`)).toBe(true);
    });
  });

  describe('annotations', () => {
    it('adds dated notes and lists those inside a range, per site or for all sites', async () => {
      const launch = await json<{ id: string; date: string }>(
        'POST',
        '/api/analytics/annotations',
        { site: SITE_A, date: '2026-11-27', text: 'Launched WhatsApp sharing' },
        201,
      );
      expect(launch.date).toBe('2026-11-27T00:00:00.000Z');
      await json(
        'POST',
        '/api/analytics/annotations',
        { site: SITE_A, date: '2026-11-01T09:30:00Z', text: 'Newsletter' },
        201,
      );
      await json(
        'POST',
        '/api/analytics/annotations',
        { site: SITE_B, date: '2026-11-26', text: '<b>B</b> release' },
        201,
      );
      const texts = async (query: string) =>
        (
          await json<{ annotations: { text: string }[] }>('GET', `/api/analytics/annotations?${query}`)
        ).annotations.map((a) => a.text);
      expect(await texts(`site=${SITE_A}&days=7`)).toEqual(['Launched WhatsApp sharing']);
      expect(await texts(`site=${SITE_A}`)).toEqual(['Newsletter', 'Launched WhatsApp sharing']);
      expect(await texts('days=7')).toEqual(['<b>B</b> release', 'Launched WhatsApp sharing']);
      expect(await texts(`site=${SITE_A}&from=2026-11-01&to=2026-11-01`)).toEqual(['Newsletter']);
      expect(await json('DELETE', `/api/analytics/annotations/${launch.id}`)).toEqual({ deleted: true });
      expect(await texts(`site=${SITE_A}&days=7`)).toEqual([]);
      expect((await send()('DELETE', `/api/analytics/annotations/${launch.id}`)).status).toBe(404);
    });

    it.each([
      [{ site: SITE_A, date: 'yesterday', text: 'x' }, 'date'],
      [{ site: SITE_A, date: '2026-13-45', text: 'x' }, 'date'],
      [{ site: SITE_A, date: '1999-12-31', text: 'x' }, 'date'],
      [{ site: SITE_A, date: '2026-11-27', text: '' }, 'text'],
      [{ site: SITE_A, date: '2026-11-27', text: 'x'.repeat(281) }, 'text'],
      [{ date: '2026-11-27', text: 'x' }, 'site'],
    ])('refuses %j with a 400 naming %s', async (body, field) => {
      const res = await send()('POST', '/api/analytics/annotations', body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error.startsWith(`${field}:`)).toBe(true);
    });
  });

  describe('chart intervals', () => {
    const series = (query: string) =>
      json<OverallResponse>('GET', `/api/analytics/overall?site=${SITE_A}&${query}`).then(
        (o) => o.timeseries,
      );
    it('draws weeks and months, every bucket present, adding up to the same page views', async () => {
      const days = await series('days=30');
      const weeks = await series('days=30&interval=week');
      expect(weeks.interval).toBe('week');
      // Mondays, from the week holding 2026-10-28 to the one holding today
      expect(weeks.points[0]!.time).toBe('2026-10-26');
      expect(weeks.points.at(-1)!.time).toBe('2026-11-23');
      expect(weeks.points).toHaveLength(5);
      const sum = (points: { pageviews: number }[]) => points.reduce((n, p) => n + p.pageviews, 0);
      expect(sum(weeks.points)).toBe(sum(days.points));
      expect(sum(weeks.points)).toBe(6);
      const months = await series('days=90&interval=month');
      expect(months.points.map((p) => p.time)).toEqual(['2026-08', '2026-09', '2026-10', '2026-11']);
      expect(sum(months.points)).toBe(6);
      const hours = await series('days=7&interval=hour');
      expect(hours.points.length).toBeGreaterThanOrEqual(168);
    });

    it.each([
      ['days=30&interval=hour', 'interval must be one of day, week'],
      ['days=7&interval=week', 'interval must be one of hour, day for'],
      ['days=30&interval=month', 'interval must be one of day, week for'],
      ['days=30&interval=year', 'interval must be one of'],
    ])('refuses %s with a 400', async (query, message) => {
      const res = await send()('GET', `/api/analytics/overall?site=${SITE_A}&${query}`);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toContain(message);
    });
  });
}
