import { describe, expect, it } from 'vitest';
import { DEFAULT_CARDS } from '../../../query/cards-config.ts';
import { MemoryBackend } from '../../../query/memory/backend.ts';
import { QueryService } from '../../../query/service.ts';
import { goldenRecords, NOW, SITE } from '../../support/query/golden-data.ts';

function service(records = goldenRecords()): QueryService {
  const backend = new MemoryBackend(() => NOW);
  backend.add(records);
  return new QueryService({ backend, clock: () => NOW, cards: DEFAULT_CARDS });
}

describe('overall on the golden data (answers worked out by hand)', () => {
  it('counts visitors, sessions, bounces and durations over the last 24 hours', async () => {
    const o = await service().overall({ days: 1 });
    // In range: A1 (7 records), A2, B1 (2 records) and the server-side session srv1.
    expect(o.visitors).toBe(3); // va, vb, u:alice
    expect(o.sessions).toBe(4); // A1, A2, B1, srv1
    expect(o.pageviews).toBe(4); // A1: 2, A2: 1, B1: 1
    expect(o.views_per_session).toBe(1); // 4 / 4
    expect(o.bounce_rate).toBe(66.67); // A2 and B1 of the 3 sessions with a page view
    expect(o.avg_session_duration).toBe(92.5); // (360 + 0 + 10 + 0) / 4
    expect(o.avg_time_on_page).toBe(25); // (30 + 60 + 10) s / 4 page views
    expect(o.active_users_1h).toBe(2); // A2 at exactly T−1h, and srv1
    expect(o.active_users_24h).toBe(3);
    expect([o.new_users, o.returning_users]).toEqual([1, 0]); // alice is new, carol not active
  });

  it('sums actions and shares and fills the CloudFace cards', async () => {
    const o = await service().overall({ days: 1 });
    expect(o.actions).toEqual({
      photo_processed: { count: 2, users: 2, sums: { processed_count: 15, total_files: 12 } },
      link_created: { count: 1, users: 1, sums: {} },
    });
    expect(o.shares).toEqual({ channels: { whatsapp: { count: 1, recipients: 3 } }, total: 1 });
    expect(Object.fromEntries(o.metrics.map((m) => [m.id, m.value]))).toEqual({
      photos_processed: 15,
      links_created: 1,
      photos_downloaded: 0,
      total_shares: 1,
      search_success_rate: 0,
    });
  });

  it('lists pages with time on page and scroll, entry and exit pages, sources and countries', async () => {
    const o = await service().overall({ days: 1 });
    expect(o.pages).toEqual([
      { key: '/', visitors: 2, pageviews: 2, avg_time_on_page: 20, scroll_depth: 75 },
      { key: '/gallery', visitors: 1, pageviews: 1, avg_time_on_page: 0, scroll_depth: 0 },
      { key: '/upload', visitors: 1, pageviews: 1, avg_time_on_page: 60, scroll_depth: 80 },
    ]);
    // Page views of the sessions that entered (left) on each page.
    expect(o.entry_pages).toEqual([
      { key: '/', visitors: 2, pageviews: 3 },
      { key: '/gallery', visitors: 1, pageviews: 1 },
    ]);
    expect(o.exit_pages).toEqual([
      { key: '/upload', visitors: 1, pageviews: 2 },
      { key: '/', visitors: 1, pageviews: 1 },
      { key: '/gallery', visitors: 1, pageviews: 1 },
    ]);
    expect(o.sources).toEqual([
      { key: 'Google', visitors: 1, pageviews: 2 },
      { key: '', visitors: 1, pageviews: 1 },
      { key: 'whatsapp', visitors: 1, pageviews: 1 },
    ]);
    expect(o.referrers).toEqual([{ key: 'https://www.google.com/', visitors: 1, pageviews: 2 }]);
    expect(o.countries).toEqual([
      { key: 'DE', name: 'Germany', visitors: 1, pageviews: 3 },
      { key: 'FR', name: 'France', visitors: 1, pageviews: 1 },
    ]);
    expect(o.devices.map((d) => d.key)).toEqual(['desktop', 'mobile']);
  });

  it('draws an hourly series for a day, with every hour present', async () => {
    const o = await service().overall({ days: 1 });
    expect(o.timeseries.interval).toBe('hour');
    expect(o.timeseries.points).toHaveLength(25); // 11-26 12:00 … 11-27 12:00
    const at = (time: string) => o.timeseries.points.find((p) => p.time === time);
    expect(at('2026-11-27T09:00:00Z')).toEqual({
      time: '2026-11-27T09:00:00Z',
      visitors: 1,
      pageviews: 2,
      actions: 2,
      shares: 1,
    });
    expect(at('2026-11-27T03:00:00Z')).toMatchObject({ visitors: 0, pageviews: 0 });
  });

  it('over 7 days counts carol as returning and rates her searches', async () => {
    const o = await service().overall({ days: 7 });
    expect(o.visitors).toBe(4);
    expect([o.new_users, o.returning_users]).toEqual([1, 1]);
    expect(o.metrics.find((m) => m.id === 'search_success_rate')!.value).toBe(50);
    expect(o.timeseries.interval).toBe('day');
    expect(o.timeseries.points).toHaveLength(8);
  });

  it('selects a site and answers zeros for an unknown one', async () => {
    expect((await service().overall({ days: 1, site: SITE })).visitors).toBe(3);
    const none = await service().overall({ days: 1, site: 'other.test' });
    expect([none.visitors, none.sessions, none.pages.length]).toEqual([0, 0, 0]);
  });
});

describe('reports on the golden data', () => {
  it('funnel: visit → photo processed → link created → share, within a session', async () => {
    const f = await service().funnel({ date_range: '24h' });
    // A1 reaches all four steps; A2 and B1 only visit; srv1 processes photos without a visit.
    expect(f.steps.map((s) => [s.label, s.visitors, s.conversion_rate, s.drop_off, s.drop_off_rate])).toEqual(
      [
        ['Visit', 2, 100, 0, 0],
        ['Photo processed', 1, 50, 1, 50],
        ['Link created', 1, 50, 0, 0],
        ['Shared', 1, 50, 0, 0],
      ],
    );
  });

  it('funnel with a time window counts per visitor and respects the window', async () => {
    const steps = [
      { type: 'page', value: '/' },
      { type: 'page', value: '/gallery' },
    ];
    // va saw / at T−3h and /gallery at T−1h: 120 minutes apart.
    const wide = await service().funnel({ date_range: '24h', steps, window_minutes: 121 });
    const narrow = await service().funnel({ date_range: '24h', steps, window_minutes: 119 });
    const bySession = await service().funnel({ date_range: '24h', steps });
    expect(wide.steps.map((s) => s.visitors)).toEqual([2, 1]);
    expect(narrow.steps.map((s) => s.visitors)).toEqual([2, 0]);
    expect(bySession.steps.map((s) => s.visitors)).toEqual([2, 0]);
  });

  it('retention: weekly cohorts of identified users', async () => {
    const r = await service().retention({ date_range: 'all' });
    expect(r.cohorts).toEqual([
      // carol: first seen Tue 11-17, back Tue 11-24
      { week: '2026-11-16', users: 1, returning: [1, 1], rates: [100, 100] },
      { week: '2026-11-23', users: 1, returning: [1], rates: [100] },
    ]);
    expect(r.note).toMatch(/anonymous/);
  });

  it('virality: shares by channel, visits through shared links and the k-factor', async () => {
    const v = await service().virality({ days: 1 });
    expect(v).toEqual({
      shares: [{ channel: 'whatsapp', count: 1, recipients: 3 }],
      total_shares: 1,
      total_recipients: 3,
      shared_visits: [{ source: 'whatsapp', sessions: 1, visitors: 1 }],
      total_shared_visits: 1,
      k_factor: 1,
      query: { site: null, from: NOW - 86_400_000, to: NOW + 1, filters: [] },
    });
  });

  it('journeys: transitions and three-page paths, ignoring reloads', async () => {
    const records = goldenRecords();
    const extra = ['/', '/upload', '/upload', '/gallery', '/'].map((path, k) => ({
      ...records[4]!,
      visitor: 'vj',
      path,
      ts: NOW - 20 * 60_000 + k * 1000,
    }));
    const j = await service([...records, ...extra]).journeys({ date_range: '24h' });
    expect(j.transitions).toEqual([
      { from: '/', to: '/upload', count: 2 },
      { from: '/gallery', to: '/', count: 1 },
      { from: '/upload', to: '/gallery', count: 1 },
    ]);
    expect(j.paths).toEqual([
      { path: ['/', '/upload', '/gallery'], count: 1 },
      { path: ['/upload', '/gallery', '/'], count: 1 },
    ]);
  });

  it('users: identified users with their totals, sorted and paged', async () => {
    const u = await service().users({ days: 1 });
    expect(u.total).toBe(1);
    expect(u.users[0]).toEqual({
      user_id: 'alice',
      sessions: 3, // A1 (from the first action on), A2, srv1
      pageviews: 1,
      total_time: 0,
      actions: 3,
      actions_by_name: { photo_processed: 2, link_created: 1 },
      shares: 1,
      first_seen: '2026-11-27T09:03:00.000Z',
      last_seen: '2026-11-27T11:30:00.000Z',
      country: 'DE',
    });
    const week = await service().users({ days: 7, sort: 'user_id', limit: 1, offset: 1 });
    expect([week.total, week.users.map((x) => x.user_id)]).toEqual([2, ['carol']]);
  });

  it('user: one user’s journey and sessions; null for an unknown user', async () => {
    const alice = await service().user('alice', { days: 1 });
    expect(alice!.journey.map((e) => `${e.kind}:${e.name || e.path}`)).toEqual([
      'action:photo_processed',
      'action:link_created',
      'share:whatsapp',
      'pageview:/gallery',
      'action:photo_processed',
    ]);
    expect(alice!.sessions_list).toHaveLength(3);
    expect(alice!.shares_list).toHaveLength(1);
    expect(JSON.stringify(alice)).not.toContain('va'.padStart(3, '"'));
    expect(await service().user('nobody', { days: 1 })).toBeNull();
    expect(await service().user('carol', { days: 1 })).toBeNull();
  });

  it('realtime: active visitors, recent pages and the last events without visitor ids', async () => {
    const r = await service().realtime();
    expect([r.active_users_5m, r.active_users_1h, r.active_users_24h]).toEqual([0, 2, 3]);
    expect(r.events[0]).toMatchObject({ kind: 'action', name: 'photo_processed', user: 'alice' });
    expect(r.events.every((e) => e.kind !== 'engagement')).toBe(true);
    expect(JSON.stringify(r)).not.toMatch(/"visitor"|"va"|"vb"|u:alice/);
  });
});

describe('general query on the golden data', () => {
  it('groups by a session dimension with filters and orders', async () => {
    const r = await service().query({
      metrics: ['visitors', 'sessions', 'bounce_rate'],
      dimensions: ['source'],
      filters: [['is', 'event:kind', ['pageview']]],
      date_range: '24h',
      order_by: [['source', 'asc']],
    });
    expect(r.results).toEqual([
      { dimensions: [''], metrics: [1, 1, 100] },
      { dimensions: ['Google'], metrics: [1, 1, 0] },
      { dimensions: ['whatsapp'], metrics: [1, 1, 100] },
    ]);
  });

  it('groups by a prop and by day, and sums props', async () => {
    const s = service();
    const byMatches = await s.query({
      metrics: ['events', 'prop_sum:matches_found'],
      dimensions: ['event:props:matches_found'],
      filters: [['is', 'event:name', ['search_performed']]],
      date_range: '7d',
    });
    expect(byMatches.results).toEqual([
      { dimensions: ['0'], metrics: [1, 0] },
      { dimensions: ['25'], metrics: [1, 25] },
    ]);
    const byDay = await s.query({ metrics: ['pageviews'], dimensions: ['time:day'], date_range: '7d' });
    expect(byDay.results).toEqual([
      { dimensions: ['2026-11-27'], metrics: [4] },
      { dimensions: ['2026-11-24'], metrics: [1] },
    ]);
  });

  it('combines and / or / not, contains, matches and numeric filters', async () => {
    const visitors = async (filters: unknown[]) =>
      (await service().query({ metrics: ['visitors'], filters, date_range: '7d' })).results[0]!.metrics[0];
    expect(await visitors([['contains', 'page', ['UPL']]])).toBe(1);
    expect(await visitors([['matches', 'page', ['^/(gallery|upload)$']]])).toBe(1);
    expect(await visitors([['is_not', 'country', ['DE']]])).toBe(2); // vb and the server-side u:alice
    expect(
      await visitors([
        [
          'or',
          [
            ['is', 'country', ['FR']],
            ['is', 'user', ['carol']],
          ],
        ],
      ]),
    ).toBe(2);
    expect(await visitors([['not', ['is', 'device', ['desktop']]]])).toBe(2);
    expect(await visitors([['gt', 'event:props:matches_found', [0]]])).toBe(1);
    expect(await visitors([['is', 'share:channel', ['whatsapp']]])).toBe(1);
  });

  it('conversion rate, users and the previous period', async () => {
    const r = await service().query({
      metrics: ['visitors', 'conversion_rate', 'users'],
      filters: [['is', 'event:name', ['photo_processed']]],
      date_range: '24h',
      compare: 'previous_period',
    });
    // 2 of the 3 visitors of the day converted; the day before had no visitor at all.
    expect(r.results).toEqual([{ dimensions: [], metrics: [2, 66.67, 1], comparison: [0, 0, 0] }]);
  });

  it('pages the results and reports the total', async () => {
    const r = await service().query({
      metrics: ['pageviews'],
      dimensions: ['page'],
      date_range: '7d',
      limit: 1,
      offset: 1,
    });
    expect([r.total_rows, r.results.map((x) => x.dimensions[0])]).toEqual([3, ['/gallery']]);
  });
});
