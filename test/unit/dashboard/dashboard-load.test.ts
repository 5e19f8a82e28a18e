// The dashboard's loaders against a real collector (app.request() as the fetcher): what the
// panels and the CSV receive for a view.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCollector, type Collector } from '../../../server/collector.ts';
import { loadConfig } from '../../../collector/config.ts';
import { ApiClient, ApiError, AuthError, lockoutMessage } from '../../../dashboard/lib/api.ts';
import {
  loadAllRows,
  funnelHidden,
  loadFunnel,
  loadJourneys,
  loadOverview,
  loadRealtime,
  loadRetention,
  loadSites,
  MAX_PAGE,
  scopeNotes,
  switchSite,
  TOP_ROWS,
} from '../../../dashboard/lib/load.ts';
import { DEFAULT_STATE, droppedNotice, parseState } from '../../../dashboard/lib/url-state.ts';
import { JsonlStore } from '../../../storage/jsonl-store.ts';
import { emptyRecord } from '../../../storage/schema.ts';
import { fixedClock, tempDir, testCollector } from '../../support/helpers.ts';

const TOKEN = 'dashboard-load-test-token-0123456789';
const NOW = Date.UTC(2026, 10, 27, 12);
const clock = fixedClock(NOW);
// More distinct pages than the API's largest page, so the whole list takes two requests.
const PAGES = MAX_PAGE + 37;
let collector: Collector;
let cleanup: () => Promise<void>;
let requests: string[] = [];

beforeAll(async () => {
  const t = await tempDir();
  const store = await JsonlStore.open({ dataDir: t.dir, clock, compressEveryMs: 0 });
  const records = Array.from({ length: PAGES }, (_, i) => ({
    ...emptyRecord('pageview', NOW - 3_600_000 + i, 'a.test'),
    visitor: `v${i % 97}`,
    path: `/p/${i}`,
    country: 'FR',
  }));
  records.push({
    ...emptyRecord('pageview', NOW - 7_200_000, 'b.test'),
    visitor: 'w',
    path: '/b',
    country: 'DE',
  });
  // One region code in two countries: California and Cádiz.
  for (const [visitor, country, ago] of [
    ['x', 'US', 7_000_000],
    ['y', 'ES', 6_000_000],
  ] as const)
    records.push({
      ...emptyRecord('pageview', NOW - ago, 'b.test'),
      visitor,
      path: '/b',
      country,
      region: 'CA',
    });
  // Visitor v1 of a.test processed a photo: under "Did action" the page shows v1's page views.
  records.push({
    ...emptyRecord('action', NOW - 1_800_000, 'a.test'),
    visitor: 'v1',
    path: '/p/1',
    name: 'photo_processed',
  });
  await store.append(records);
  await store.close();
  collector = await createCollector({
    config: loadConfig({
      ANALYTICS_DATA_DIR: t.dir,
      ANALYTICS_ADMIN_TOKEN: TOKEN,
      ANALYTICS_RATE_LIMIT: '0',
    }),
    clock,
  });
  await collector.queryReady;
  cleanup = async () => {
    await collector.close();
    await t.cleanup();
  };
});
afterAll(() => cleanup());

function client(): ApiClient {
  requests = [];
  return new ApiClient({ bearer: TOKEN }, async (input, init) => {
    requests.push(String(init?.body ?? input));
    return collector.app.request(String(input), init);
  });
}

describe('dashboard loaders', () => {
  it('loads the top of each list with the true count, and the whole list page by page', async () => {
    const api = client();
    const { overview } = await loadOverview(api, DEFAULT_STATE, NOW);
    // Today (UTC) is still running at noon: the chart draws it as "so far".
    expect(overview.series.traffic.partial).toBe(true);
    const pages = overview.panels.find((p) => p.id === 'pages')!.tabs[0]!;
    expect(pages.rows).toHaveLength(TOP_ROWS);
    expect(pages.total).toBe(PAGES + 1);

    const regions = overview.panels.find((p) => p.id === 'locations')!.tabs.find((t) => t.id === 'regions')!;
    expect(regions.rows.filter((r) => r.key === 'CA').map((r) => [r.label, r.scope])).toEqual([
      ['CA, ES', 'ES'],
      ['CA, US', 'US'],
    ]);

    const all = await loadAllRows(client(), DEFAULT_STATE, pages.spec);
    expect(all).toHaveLength(PAGES + 1);
    expect(new Set(all.map((r) => r.key)).size).toBe(PAGES + 1);
    expect(requests).toHaveLength(2);
  });
});

describe('chart series', () => {
  it('has no partial bucket when the range ended before now', async () => {
    const { overview } = await loadOverview(
      client(),
      parseState('?range=custom&from=2026-11-01&to=2026-11-26'),
      NOW,
    );
    expect(overview.series.traffic.partial).toBe(false);
    expect(overview.series.traffic.times.at(-1)).toBe(Date.UTC(2026, 10, 26) / 1000);
  });
});

describe('reports under filters', () => {
  const words = {
    unfiltered: 'counts every visit',
    subject: 'Cohorts',
    because: ': weekly cohorts need weeks',
  };

  it("applies the view's filters and range: no note when the answers' query is the page's", async () => {
    for (const search of [
      '?range=30d&country=FR',
      '?range=30d&action=photo_processed',
      '?site=a.test&range=custom&from=2026-11-01&to=2026-11-27&country=FR',
    ]) {
      const view = parseState(search);
      const { overview } = await loadOverview(client(), view, NOW);
      const journeys = await loadJourneys(client(), view);
      expect(requests[0]).toContain('filters=');
      const funnel = await loadFunnel(client(), { ...view, site: '' });
      const retention = await loadRetention(client(), view);
      for (const answer of [journeys.data, retention.data])
        expect(scopeNotes(answer.query, overview.scope, words)).toEqual([]);
      expect(scopeNotes(funnel.data.query, { ...overview.scope, site: null }, words)).toEqual([]);
    }
  });

  it('names the 90 days of cohorts retention is asked for on a 24h or 7d view', async () => {
    const view = parseState('?range=24h&country=FR');
    const { overview } = await loadOverview(client(), view, NOW);
    const retention = await loadRetention(client(), view);
    expect(scopeNotes(retention.data.query, overview.scope, words)).toEqual([
      "Cohorts over 90 days (2026-08-29 – 2026-11-27 UTC), not this view's range: weekly cohorts need weeks.",
    ]);
  });

  it('says unfiltered, other filters or another site only when the answer says so', () => {
    const page = {
      site: 'a.test',
      from: NOW - 7 * 86_400_000,
      to: NOW + 1,
      filters: [['is', 'country', ['FR']]] as never,
    };
    // The same rolling range a little later (another refresh, the offline cache): no note.
    expect(
      scopeNotes({ ...page, from: page.from + 3_600_000, to: page.to + 3_600_000 }, page, words),
    ).toEqual([]);
    // The previous week, or a range of another length, is another range.
    expect(
      scopeNotes({ ...page, from: page.from - 7 * 86_400_000, to: page.to - 7 * 86_400_000 }, page, words),
    ).toEqual([
      "Cohorts over 7 days (2026-11-13 – 2026-11-20 UTC), not this view's range: weekly cohorts need weeks.",
    ]);
    expect(scopeNotes({ ...page, from: page.from + 86_400_000 }, page, words)).toHaveLength(1);
    expect(scopeNotes({ ...page, filters: [] }, page, words)).toEqual(['unfiltered: counts every visit']);
    expect(scopeNotes({ ...page, filters: [['is', 'country', ['DE']]] }, page, words)).toEqual([
      "Cohorts under other filters than this view's.",
    ]);
    expect(scopeNotes({ ...page, site: null }, page, words)).toEqual([
      'Cohorts of all sites, not only a.test.',
    ]);
    // Nothing to compare with (the page's figures are of another view, still loading): no note.
    expect(scopeNotes(page, undefined, words)).toEqual([]);
  });
});

describe('visitors who did it', () => {
  it('an action chip keeps the page views of the visitors who did it, and the actions panel counts events', async () => {
    const view = parseState('?site=a.test&range=24h&action=photo_processed');
    expect(JSON.stringify(view.filters)).toContain('photo_processed');
    const { overview } = await loadOverview(client(), view, NOW);
    const card = (id: string) => overview.cards.find((c) => c.id === id)?.value;
    // v1 is one of 97 visitors; its page views are every 97th of the PAGES.
    expect(card('visitors')).toBe(1);
    expect(card('pageviews')).toBe(Math.ceil((PAGES - 1) / 97));
    const actions = overview.panels.find((p) => p.id === 'actions')!.tabs[0]!;
    expect(actions.rows.map((r) => [r.key, r.actions])).toEqual([['photo_processed', 1]]);
    expect(overview.scope.filters).toEqual([['is', 'visitor:action', ['photo_processed']]]);
    const realtime = await loadRealtime(client(), view);
    expect(requests[0]).toContain(encodeURIComponent('visitor:action'));
    expect(realtime.data.active_users_24h).toBe(1);
  });
});

describe('sites and the default funnel', () => {
  it('lists every seen site and hides the default funnel where it does not belong', async () => {
    const sites = await loadSites(client());
    expect(sites.data.sites).toEqual(['a.test', 'b.test']);
    // No ANALYTICS_CARDS_SITES: the default funnel belongs to no single site, only to all sites.
    expect(funnelHidden(sites.data.applies, parseState('?site=a.test'))).toMatch(
      /belongs to other sites.*not a\.test/,
    );
    expect(funnelHidden(sites.data.applies, DEFAULT_STATE)).toBeNull();
    expect(funnelHidden(null, parseState('?site=a.test'))).toBeNull();
    // What the dashboard no longer asks: the API's refusal of that funnel.
    await expect(loadFunnel(client(), parseState('?site=a.test'))).rejects.toThrow(
      /does not belong to site a\.test/,
    );
  });
});

describe('site switch', () => {
  it('keeps the filters that select something on the new site and names the ones it dropped', async () => {
    const view = parseState('?site=a.test&country=FR&page=%2Fb&device=');
    const { next, dropped } = await switchSite(client(), view, 'b.test');
    expect(next.site).toBe('b.test');
    expect(next.filters).toEqual([{ key: 'page', value: '/b' }]);
    expect(dropped).toEqual([{ key: 'country', value: 'FR' }]);
    expect(droppedNotice(dropped, 'b.test')).toBe(
      'Filter Country is FR was dropped: b.test has no visits with it in this range.',
    );
    // Towards all sites every filter still applies, with no question asked.
    const all = await switchSite(client(), view, '');
    expect(all.next.filters).toEqual(view.filters);
    expect(requests).toHaveLength(0);
  });
});

describe('login lockout', () => {
  it('tells the admin how long to wait, from the Retry-After of the 429', async () => {
    const t = await testCollector({ ANALYTICS_ADMIN_TOKEN: TOKEN }, fixedClock(NOW));
    try {
      const fetcher: typeof fetch = async (input, init) => t.collector.app.request(String(input), init);
      const wrong = new ApiClient({ bearer: 'wrong-token-wrong-token' }, fetcher);
      let locked: unknown = null;
      for (let i = 0; i < 50 && !locked; i++) {
        await wrong.get('/api/analytics/realtime').catch((e: unknown) => {
          if (!(e instanceof AuthError)) locked = e;
        });
      }
      // Locked out: even the right token now gets the 429.
      const right = await new ApiClient({ bearer: TOKEN }, fetcher)
        .get('/api/analytics/realtime')
        .catch((e: unknown) => e);
      expect(right).toBeInstanceOf(ApiError);
      const error = right as ApiError;
      expect(error.status).toBe(429);
      expect(error.retryAfter).toBeGreaterThan(0);
      const text = lockoutMessage(error.message, error.retryAfter, NOW);
      expect(text).toMatch(
        /^The collector says: too many failed authentication attempts\. Try again in \d+ (s|min) \(at \d\d:\d\d UTC\)\.$/,
      );
    } finally {
      await t.cleanup();
    }
  });
});
