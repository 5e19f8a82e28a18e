// The dashboard in Chromium over a collector with ANALYTICS_STORE=clickhouse on a private
// clickhouse-server (in the e2e-cluster project, a two-shard cluster): every figure it shows is
// the one the API answers on that server, the one the in-memory engine answers over the same
// records (a JSON Lines twin), and, where the fixture makes it plain, the one counted from the
// seeded records themselves.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conversionRate } from '../../dashboard/lib/goals.ts';
import { countryName, formatChange } from '../../dashboard/lib/format.ts';
import { PANELS, TOTAL_METRICS } from '../../dashboard/lib/queries.ts';
import { display } from '../../dashboard/ui/format-value.ts';
import { openClickHouse } from '../../query/clickhouse/open.ts';
import type {
  FunnelResponse,
  Goal,
  GoalsResponse,
  OverallResponse,
  QueryRequest,
  QueryResponse,
  RetentionResponse,
  UserResponse,
} from '../../shared/api.ts';
import type { StoredRecord } from '../../storage/schema.ts';
import { tempDir } from '../support/helpers.ts';
import { startServer, type RunningServer } from '../support/server-process.ts';
import { launchChromium } from './chromium.ts';
import { startTopology } from './parity-pair.ts';
import { indexReady, SITE, VISITS, visitRecords, writeVisits, type Visit } from './dashboard-fixture.ts';

const TOKEN = 'dashboard-clickhouse-token-0123456789';
const DAY = 86_400_000;
const NOW = Date.now();
const chrome = { browser: 'Chrome', os: 'Windows', device: 'desktop' };

/** Ms between now and the same UTC date and time a year earlier (as year over year moves ranges). */
function yearAgo(now: number): number {
  const d = new Date(now);
  d.setUTCFullYear(d.getUTCFullYear() - 1);
  return now - d.getTime();
}

// The same week a year earlier: France and Germany had visitors then, the US none.
const LAST_YEAR: Visit[] = [
  { ago: yearAgo(NOW) + 2 * DAY, visitor: 'ly1', country: 'FR', ...chrome, pages: ['/'] },
  { ago: yearAgo(NOW) + 2 * DAY + 3_600_000, visitor: 'ly2', country: 'FR', ...chrome, pages: ['/app'] },
  { ago: yearAgo(NOW) + 4 * DAY, visitor: 'ly3', country: 'FR', ...chrome, pages: ['/'] },
  { ago: yearAgo(NOW) + 4 * DAY + 60_000, visitor: 'ly4', country: 'DE', ...chrome, pages: ['/pricing'] },
];
const SEEDED: StoredRecord[] = visitRecords([...VISITS, ...LAST_YEAR], NOW);

let ch: Awaited<ReturnType<typeof startTopology>>;
let browser: Browser;
let server: RunningServer;
let twin: RunningServer;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  const [chDir, jsonDir] = [await tempDir(), await tempDir()];
  cleanups.push(chDir.cleanup, jsonDir.cleanup);
  // One server, or in the e2e-cluster project two shards behind Distributed tables.
  ch = await startTopology();
  // Through the ClickHouse store, as a collector stores what it acknowledged.
  const seed = await openClickHouse({
    url: ch.url,
    cluster: ch.cluster,
    database: 'dashboard_e2e',
    dataDir: chDir.dir,
    clock: () => Date.now(),
  });
  await seed.store.append(SEEDED);
  await seed.close();
  // On the cluster each shard holds some of the records, so every figure shown adds up both.
  for (const url of ch.cluster?.urls ?? []) {
    const res = await fetch(url, { method: 'POST', body: 'SELECT count() FROM dashboard_e2e_local.events' });
    expect(Number(await res.text())).toBeGreaterThan(0);
  }
  await writeVisits(jsonDir.dir, [...VISITS, ...LAST_YEAR], NOW);
  // The shipped default funnel belongs to the site, so its panel shows.
  const env = { ANALYTICS_ADMIN_TOKEN: TOKEN, ANALYTICS_SITES: SITE, ANALYTICS_CARDS_SITES: SITE };
  [server, twin] = await Promise.all([
    startServer({
      ...env,
      ANALYTICS_DATA_DIR: chDir.dir,
      ANALYTICS_STORE: 'clickhouse',
      CLICKHOUSE_URL: ch.url,
      ...(ch.cluster && {
        CLICKHOUSE_CLUSTER: ch.cluster.name,
        CLICKHOUSE_CLUSTER_URLS: ch.cluster.urls.join(','),
      }),
      CLICKHOUSE_DATABASE: 'dashboard_e2e',
    }),
    startServer({ ...env, ANALYTICS_DATA_DIR: jsonDir.dir }),
  ]);
  await Promise.all([indexReady(server.url), indexReady(twin.url)]);
  browser = await launchChromium();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([server?.stop(), twin?.stop()]);
  await ch?.destroy();
  for (const c of cleanups) await c();
});

async function call<T>(url: string, path: string, body?: unknown, status = 200): Promise<T> {
  const res = await fetch(`${url}${path}`, {
    method: body ? 'POST' : 'GET',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  expect(res.status, `${path} answered ${res.status}`).toBe(status);
  return (await res.json()) as T;
}
const api = <T>(path: string, body?: unknown, status?: number) => call<T>(server.url, path, body, status);

/** The ClickHouse server's answer, after checking the in-memory twin answers the same figures. */
async function same<T>(path: string, body?: unknown): Promise<T> {
  const [a, b] = await Promise.all([call<T>(server.url, path, body), call<T>(twin.url, path, body)]);
  // The ranges and scope name the moment each was asked: not figures.
  const figures = (x: T) =>
    JSON.parse(
      JSON.stringify(x, (k, v) => (['range', 'comparison_range', 'query'].includes(k) ? undefined : v)),
    );
  expect(figures(a), path).toEqual(figures(b));
  return a;
}

/** Distinct visitors of the seeded page views in the last `days` days matching `where`. */
function seededVisitors(days: number, where: (r: StoredRecord) => boolean = () => true): number {
  const from = NOW - days * DAY;
  return new Set(
    SEEDED.filter((r) => r.kind === 'pageview' && r.ts >= from && where(r)).map((r) => r.visitor),
  ).size;
}

async function totals(range: string, filters: QueryRequest['filters'] = []) {
  const r = await same<QueryResponse>('/api/analytics/query', {
    site: SITE,
    metrics: [...TOTAL_METRICS],
    date_range: range,
    ...(filters.length ? { filters } : {}),
  });
  const row = r.results[0]!.metrics;
  return Object.fromEntries(TOTAL_METRICS.map((m, i) => [m, row[i]!])) as Record<
    (typeof TOTAL_METRICS)[number],
    number
  >;
}

async function open(width: number, query: string): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width, height: width < 500 ? 812 : 800 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(`${server.url}/admin/analytics${query}#token=${TOKEN}`);
  await page.locator('[data-card="visitors"] [data-value]').waitFor();
  return { page, problems };
}

const cardText = async (page: Page, id: string) =>
  (await page.locator(`[data-card="${id}"] [data-value]`).textContent()) ?? '';
const settle = (page: Page, card: string, expected: string) =>
  expect.poll(() => cardText(page, card), { timeout: 20_000 }).toBe(expected);
const panelLabels = (page: Page, panel: string) =>
  page
    .locator(`[data-panel="${panel}"] table.list tbody tr td:first-child`)
    .allTextContents()
    .then((t) => t.map((s) => s.trim()));
const fitsPhone = async (page: Page) =>
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);

/** The first tab of every top-list panel shows the query API's rows under `filters`. */
async function panelsMatch(page: Page, range: string, filters: QueryRequest['filters']) {
  const expected = await Promise.all(
    PANELS.map(async (panel) => {
      const tab = panel.tabs[0]!;
      const r = await same<QueryResponse>('/api/analytics/query', {
        site: SITE,
        metrics: tab.metrics,
        dimensions: [tab.dimension],
        date_range: range,
        filters,
        limit: 10,
      });
      return r.results.map((row) => {
        const key = row.dimensions[0]!;
        return tab.dimension === 'country' ? countryName(key) : key || tab.blank || '(none)';
      });
    }),
  );
  await expect
    .poll(() => Promise.all(PANELS.map((p) => panelLabels(page, p.id))), { timeout: 15_000 })
    .toEqual(expected);
}

/** The built-in cards show the overall answer (checked against the twin) for `days`. */
async function cardsMatch(page: Page, days: number, filters?: QueryRequest['filters']) {
  const overall = await same<OverallResponse>(
    `/api/analytics/overall?site=${SITE}&days=${days}${filters ? `&filters=${encodeURIComponent(JSON.stringify(filters))}` : ''}`,
  );
  const cards: [string, string][] = [
    ['visitors', display(overall.visitors, 'number')],
    ['sessions', display(overall.sessions, 'number')],
    ['pageviews', display(overall.pageviews, 'number')],
    ['bounce_rate', display(overall.bounce_rate, 'percent')],
    ['session_duration', display(overall.avg_session_duration, 'duration')],
    ['time_on_page', display(overall.avg_time_on_page, 'duration')],
    ['active_users', display(overall.active_users_24h, 'number')],
  ];
  await expect
    .poll(() => Promise.all(cards.map(async ([id]) => [id, await cardText(page, id)])), { timeout: 20_000 })
    .toEqual(cards);
  return overall;
}

/** Country rows' conversion rates as shown, and as the API's visitors and converters give them. */
async function countryRates(page: Page, goal: Goal, range: string) {
  const by = async (filters: unknown[]) =>
    new Map(
      (
        await same<QueryResponse>('/api/analytics/query', {
          site: SITE,
          metrics: ['visitors'],
          dimensions: ['country'],
          date_range: range,
          filters,
        })
      ).results.map((r) => [r.dimensions[0]!, r.metrics[0]!]),
    );
  const [visitors, converted] = await Promise.all([by([]), by([['visitor', goal.filter]])]);
  const order = [...visitors.entries()]
    .filter(([k]) => k !== '')
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const expected = order.map(([k, v]) => display(conversionRate(converted.get(k) ?? 0, v), 'percent'));
  const rows = page.locator('[data-panel="locations"] table.list[data-tab="countries"] tbody tr');
  await expect
    .poll(async () => (await rows.locator('td:last-child').allTextContents()).map((s) => s.trim()), {
      timeout: 15_000,
    })
    .toEqual(expected);
}

let pricing: Goal;

describe('the dashboard over ClickHouse in Chromium', () => {
  it('shows the API figures, narrows every panel to a country, switches ranges (1280×800)', async () => {
    const { page, problems } = await open(1280, `?site=${SITE}`);
    const overall = await cardsMatch(page, 7);
    expect(overall.visitors).toBe(seededVisitors(7));
    expect(await panelLabels(page, 'locations')).toEqual(overall.countries.map((c) => countryName(c.key)));
    await panelsMatch(page, '7d', []);

    // Each range its own total, as counted from the records.
    const seen: number[] = [];
    for (const [range, days] of [
      ['30d', 30],
      ['90d', 90],
      ['7d', 7],
    ] as const) {
      await page.locator(`[data-range="${range}"]`).click();
      const t = await totals(range);
      expect(t.visitors).toBe(seededVisitors(days));
      await settle(page, 'visitors', display(t.visitors, 'number'));
      await settle(page, 'pageviews', display(t.pageviews, 'number'));
      expect(await page.locator(`[data-range="${range}"]`).getAttribute('aria-pressed')).toBe('true');
      seen.push(t.visitors);
    }
    expect(new Set(seen).size).toBe(3);

    // A country row: a chip, and every panel and card narrowed to France.
    await page.locator('[data-panel="locations"] button.row-link', { hasText: 'France' }).click();
    await page.waitForURL(/country=FR/);
    await expect
      .poll(() => page.locator('[data-filter="country"]').textContent())
      .toContain('Country is France');
    const fr: QueryRequest['filters'] = [['is', 'country', ['FR']]];
    const narrowed = await cardsMatch(page, 7, fr);
    expect(narrowed.visitors).toBe(seededVisitors(7, (r) => r.country === 'FR'));
    expect(narrowed.visitors).toBeLessThan(overall.visitors);
    await panelsMatch(page, '7d', fr);
    expect(await panelLabels(page, 'locations')).toEqual(['France']);
    expect(problems).toEqual([]);
    await page.context().close();
  }, 120_000);

  it('opens a user page, and shows the funnel and the retention cohorts of the API', async () => {
    const { page, problems } = await open(1280, `?site=${SITE}&range=30d`);
    const funnel = await same<FunnelResponse>('/api/analytics/funnel', { site: SITE, date_range: '30d' });
    await expect
      .poll(() => page.locator('[data-panel="funnel"] .funnel-step strong').allTextContents(), {
        timeout: 15_000,
      })
      .toEqual(funnel.steps.map((s) => display(s.visitors, 'number')));
    expect(funnel.steps[0]!.visitors).toBe(seededVisitors(30));

    const retention = await same<RetentionResponse>(`/api/analytics/retention?site=${SITE}&date_range=30d`);
    expect(retention.cohorts.length).toBeGreaterThan(0);
    const cohortRows = page.locator('[data-panel="retention"] tbody tr');
    await expect
      .poll(async () => (await cohortRows.locator('th').allTextContents()).map((s) => s.trim()), {
        timeout: 15_000,
      })
      .toEqual(retention.cohorts.map((c) => c.week));
    expect((await cohortRows.locator('td:first-of-type').allTextContents()).map((s) => s.trim())).toEqual(
      retention.cohorts.map((c) => display(c.users, 'number')),
    );
    // alice, bob in the last days; carol is 60 days old
    expect(retention.cohorts.reduce((n, c) => n + c.users, 0)).toBe(2);

    await page.locator('[data-panel="users"] button[data-user="alice"]').click();
    await page.waitForURL(/user=alice/);
    await page.locator('[data-user-page] .timeline li').first().waitFor();
    const user = await same<UserResponse>('/api/analytics/user/alice?days=30');
    expect(user.pageviews).toBe(SEEDED.filter((r) => r.user === 'alice' && r.kind === 'pageview').length);
    await settle(page, 'pageviews', display(user.pageviews, 'number'));
    expect(await cardText(page, 'sessions')).toBe(display(user.sessions, 'number'));
    await expect.poll(() => page.locator('[data-user-page] .timeline li').count()).toBe(user.journey.length);
    expect(problems).toEqual([]);
    await page.context().close();
  }, 120_000);

  it("applies a saved segment and shows a goal's conversion rate in every breakdown", async () => {
    await api(
      '/api/analytics/segments',
      { site: SITE, name: 'Europe', shared: true, filters: [['is', 'country', ['FR', 'DE']]] },
      201,
    );
    pricing = await api<Goal>(
      '/api/analytics/goals',
      { site: SITE, name: 'Pricing', type: 'page', page: '/pricing' },
      201,
    );
    const { page, problems } = await open(1280, `?site=${SITE}&range=30d`);

    // Goals live in the ClickHouse server's settings only: the twin has none.
    const { goals } = await api<GoalsResponse>(`/api/analytics/goals?site=${SITE}&days=30`);
    const figures = goals.find((g) => g.id === pricing.id)!;
    // v1, v4 and w2 viewed /pricing in the last 30 days
    expect(figures.conversions).toBe(seededVisitors(30, (r) => r.path === '/pricing'));
    const row = page.locator(`[data-goal="${pricing.id}"]`);
    await expect
      .poll(() => row.locator('[data-rate]').textContent(), { timeout: 15_000 })
      .toBe(display(figures.conversion_rate, 'percent'));
    await row.getByRole('button', { name: 'Pricing', exact: true }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('goal')).toBe(pricing.id);
    for (const panel of ['locations', 'sources', 'pages', 'devices'])
      await expect
        .poll(() => page.locator(`[data-panel="${panel}"] table.list thead th`).allTextContents(), {
          timeout: 15_000,
        })
        .toContain('Conv. rate');
    await countryRates(page, pricing, '30d');

    // The team's segment in one click, the goal column kept.
    await page.locator('[data-segment="Europe"] .row-link').click();
    await page.waitForURL((u) => u.searchParams.getAll('country').join() === 'FR,DE');
    const europe: QueryRequest['filters'] = [['is', 'country', ['FR', 'DE']]];
    const t = await totals('30d', europe);
    expect(t.visitors).toBe(seededVisitors(30, (r) => r.country === 'FR' || r.country === 'DE'));
    await settle(page, 'visitors', display(t.visitors, 'number'));
    await panelsMatch(page, '30d', europe);

    expect(new URL(page.url()).searchParams.get('goal')).toBe(pricing.id);
    expect(problems).toEqual([]);
    await page.context().close();
  }, 120_000);

  it('compares year over year: a dashed line of last year and a change per row, as the API answers', async () => {
    const { page, problems } = await open(1280, `?site=${SITE}`);
    const amber = () =>
      page.evaluate(() => {
        // The compared line is the chart's third colour (#f59e0b, chart.ts).
        const canvas = document.querySelector<HTMLCanvasElement>('.chart-wrap .chart canvas')!;
        const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        let n = 0;
        for (let i = 0; i < data.length; i += 4)
          if (Math.abs(data[i]! - 245) < 24 && Math.abs(data[i + 1]! - 158) < 24 && data[i + 2]! < 60) n++;
        return n;
      });
    expect(await amber()).toBe(0);
    await page.locator('[data-compare]').selectOption('year_over_year');
    await page.waitForURL((u) => u.searchParams.get('compare') === 'year_over_year');
    await expect
      .poll(() => page.locator('[data-line="compared"]').textContent(), { timeout: 15_000 })
      .toBe('Visitors, a year earlier');
    await expect.poll(amber, { timeout: 15_000 }).toBeGreaterThan(20);

    // The tooltip names each day's figure of a year earlier: the API's comparison of that day.
    const series = await same<QueryResponse>('/api/analytics/query', {
      site: SITE,
      metrics: ['visitors'],
      dimensions: ['time:day'],
      date_range: '7d',
      compare: 'year_over_year',
    });
    const dayName = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
    const expected = new Map(
      series.results.map((r) => {
        const d = new Date(`${r.dimensions[0]}T00:00:00Z`);
        return [`${dayName.format(d)} ${d.getUTCFullYear()}`, r.comparison?.[0] ?? 0];
      }),
    );
    expect([...expected.values()].reduce((a, b) => a + b, 0)).toBe(LAST_YEAR.length);
    const over = (await page.locator('.chart-wrap .u-over').boundingBox())!;
    const shown = new Map<string, number>();
    for (let i = 0; i <= 28; i++) {
      await page.mouse.move(over.x + (over.width * i) / 28, over.y + over.height / 2);
      const text = (await page.locator('[data-chart-tip]').textContent()) ?? '';
      const match = /^(.+?)(?: \(so far\))?\n[\s\S]*Visitors, a year earlier: ([\d,]+)/.exec(text);
      if (match) shown.set(match[1]!, Number(match[2]!.replace(/,/g, '')));
    }
    expect(shown.size).toBeGreaterThan(3);
    for (const [day, value] of shown) expect(value, day).toBe(expected.get(day) ?? 0);
    expect([...shown.values()].some((v) => v > 0)).toBe(true);

    // Countries: this week's visitors against the same week last year.
    const byCountry = await same<QueryResponse>('/api/analytics/query', {
      site: SITE,
      metrics: ['visitors'],
      dimensions: ['country'],
      date_range: '7d',
      compare: 'year_over_year',
      limit: 50,
    });
    const changes = byCountry.results.map((r) => {
      const c = formatChange(r.metrics[0]!, r.comparison?.[0] ?? 0);
      return [countryName(r.dimensions[0]!), c ? (c.text === 'no earlier data' ? 'new' : c.text) : ''];
    });
    // FR 4 now against 3, DE 2 against 1, the US 1 against none
    expect(Object.fromEntries(changes)).toEqual({ France: '+33%', Germany: '+100%', 'United States': 'new' });
    const rows = page.locator('[data-tab="countries"] tbody tr');
    await expect
      .poll(
        async () =>
          Promise.all(
            (await rows.all()).map(async (r) => [
              ((await r.locator('td:first-child').textContent()) ?? '').trim(),
              (
                (await r
                  .locator('td:nth-child(2) [data-change]')
                  .textContent()
                  .catch(() => '')) ?? ''
              ).trim(),
            ]),
          ),
        { timeout: 15_000 },
      )
      .toEqual(changes);
    expect(problems).toEqual([]);
    await page.context().close();
  }, 120_000);

  it('does it on a 375×812 phone: figures, a chip, a segment, a goal column, year over year', async () => {
    const { page, problems } = await open(
      375,
      `?site=${SITE}&range=30d&goal=${pricing.id}&compare=year_over_year`,
    );
    await cardsMatch(page, 30);
    await expect.poll(() => page.locator('[data-line="compared"]').count(), { timeout: 15_000 }).toBe(1);
    await countryRates(page, pricing, '30d');
    await page.locator('[data-panel="locations"] button.row-link', { hasText: 'Germany' }).click();
    await page.waitForURL(/country=DE/);
    const de: QueryRequest['filters'] = [['is', 'country', ['DE']]];
    await cardsMatch(page, 30, de);
    await panelsMatch(page, '30d', de);
    await page.locator('[data-segment="Europe"] .row-link').click();
    await page.waitForURL((u) => u.searchParams.getAll('country').join() === 'FR,DE');
    const t = await totals('30d', [['is', 'country', ['FR', 'DE']]]);
    await settle(page, 'visitors', display(t.visitors, 'number'));
    await page.locator('[data-panel="funnel"] .funnel-step').first().waitFor();
    await page.locator('[data-panel="retention"] table').waitFor();
    await fitsPhone(page);
    expect(problems).toEqual([]);
    await page.context().close();
  }, 120_000);
});
