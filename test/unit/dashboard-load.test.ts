// The dashboard's loaders against a real collector (app.request() as the fetcher): what the
// panels and the CSV receive for a view.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCollector, type Collector } from '../../collector/collector.ts';
import { loadConfig } from '../../collector/config.ts';
import { ApiClient, ApiError, AuthError, lockoutMessage } from '../../dashboard/lib/api.ts';
import {
  loadAllRows,
  loadJourneys,
  loadOverview,
  loadRetention,
  panelScope,
  retentionRange,
  MAX_PAGE,
  switchSite,
  TOP_ROWS,
} from '../../dashboard/lib/load.ts';
import { DEFAULT_STATE, droppedNotice, parseState } from '../../dashboard/lib/url-state.ts';
import { JsonlStore } from '../../storage/jsonl-store.ts';
import { emptyRecord } from '../../storage/schema.ts';
import { fixedClock, tempDir, testCollector } from '../helpers.ts';

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
  return new ApiClient(TOKEN, async (input, init) => {
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
  it("sends the view's filters and says unfiltered unless the answer says it applied them", async () => {
    const view = parseState('?country=FR');
    const retention = await loadRetention(client(), view);
    expect(requests[0]).toContain('filters=');
    const journeys = await loadJourneys(client(), view);
    expect(requests[0]).toContain('filters=');
    for (const answer of [retention.data, journeys.data]) {
      const said = panelScope(answer, view, 'counts every visit');
      const applied = (answer as { filtered?: boolean }).filtered === true;
      expect(said).toEqual(applied ? null : expect.stringMatching(/^unfiltered: /));
    }
    expect(panelScope({ filtered: true }, view, 'x')).toBeNull();
    expect(
      panelScope({ filtered: false, unfiltered_reason: 'share filters apply to events' }, view, 'x'),
    ).toBe('unfiltered: share filters apply to events');
    expect(panelScope({}, view, 'journeys count every visit')).toBe('unfiltered: journeys count every visit');
    expect(panelScope({}, DEFAULT_STATE, 'x')).toBeNull();
  });

  it('names the 90 days retention looks at when the view is shorter', () => {
    expect(retentionRange(parseState('?range=24h'))).toMatch(
      /^Cohorts of the last 90 days, not of this 24-hour view/,
    );
    expect(retentionRange(DEFAULT_STATE)).toMatch(/this 7-day view/);
    expect(retentionRange(parseState('?range=30d'))).toBeNull();
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
      const wrong = new ApiClient('wrong-token-wrong-token', fetcher);
      let locked: unknown = null;
      for (let i = 0; i < 50 && !locked; i++) {
        await wrong.get('/api/analytics/realtime').catch((e: unknown) => {
          if (!(e instanceof AuthError)) locked = e;
        });
      }
      // Locked out: even the right token now gets the 429.
      const right = await new ApiClient(TOKEN, fetcher)
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
