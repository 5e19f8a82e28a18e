// The dashboard tells the truth about what it shows: whole lists, one-step Clear all, a busy
// state, freshness, recovery after an outage and the empty state giving way to the first event.
import { mkdir, readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOTAL_METRICS } from '../../dashboard/lib/queries.ts';
import { display } from '../../dashboard/ui/format-value.ts';
import type { QueryResponse } from '../../shared/api.ts';
import { tempDir } from '../support/helpers.ts';
import { startServer, type RunningServer } from '../support/server-process.ts';
import { launchChromium } from './chromium.ts';
import { indexReady, SITE, VISITS, writeVisits, type Visit } from './dashboard-fixture.ts';

const TOKEN = 'dashboard-honest-token-0123456789';
const ARTIFACTS = 'test-artifacts';
const DAY = 86_400_000;
// 75 more distinct pages than the fixture: more than the 50 a panel loads at first.
const DOCS: Visit[] = Array.from({ length: 75 }, (_, i) => ({
  ago: DAY + i * 60_000,
  visitor: `d${i}`,
  country: 'FR',
  browser: 'Firefox',
  os: 'Linux',
  device: 'desktop',
  pages: [`/doc/${i}`],
}));

let browser: Browser;
const servers: RunningServer[] = [];
const cleanups: (() => Promise<void>)[] = [];

async function collector(visits: readonly Visit[], env: Record<string, string> = {}) {
  const t = await tempDir();
  cleanups.push(t.cleanup);
  if (visits.length) await writeVisits(t.dir, visits);
  const server = await startServer({ ANALYTICS_DATA_DIR: t.dir, ANALYTICS_ADMIN_TOKEN: TOKEN, ...env });
  servers.push(server);
  await indexReady(server.url);
  return { server, dir: t.dir };
}

beforeAll(async () => {
  browser = await launchChromium();
  await mkdir(ARTIFACTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  for (const s of servers) await s.stop();
  for (const c of cleanups) await c();
});

async function query<T = QueryResponse>(url: string, body: unknown): Promise<T> {
  const res = await fetch(`${url}/api/analytics/query`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

async function visitors(url: string, range: string): Promise<string> {
  const r = await query(url, { metrics: [...TOTAL_METRICS], date_range: range });
  return display(r.results[0]!.metrics[0]!, 'number');
}

const card = (page: Page, id: string) => page.locator(`[data-card="${id}"] [data-value]`).textContent();

async function open(url: string, query = '', size = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport: size });
  const page = await context.newPage();
  await page.goto(`${url}/admin/analytics${query}#token=${TOKEN}`);
  await page.locator('[data-card="visitors"] [data-value]').waitFor();
  return { context, page };
}

describe('an honest dashboard', () => {
  it('clears every filter at once with one history entry', async () => {
    const { server } = await collector(VISITS);
    const { context, page } = await open(server.url, '?country=FR&page=%2Fpricing&device=desktop');
    expect(await page.locator('.chip').count()).toBe(3);
    const before = await page.evaluate(() => history.length);
    await page.getByRole('button', { name: 'Clear all' }).click();
    await page.waitForURL((u) => u.search === '');
    expect(await page.locator('.chip').count()).toBe(0);
    expect(await page.evaluate(() => history.length)).toBe(before + 1);
    await expect.poll(() => card(page, 'visitors')).toBe(await visitors(server.url, '7d'));
    await context.close();
  });

  it('shows, pages, searches and exports the whole list, not the first 50', async () => {
    const { server } = await collector([...VISITS, ...DOCS]);
    const all = await query(server.url, {
      metrics: ['pageviews'],
      dimensions: ['page'],
      date_range: '7d',
      limit: 1000,
    });
    expect(all.total_rows).toBeGreaterThan(75);
    const { context, page } = await open(server.url);
    const panel = page.locator('[data-panel="pages"]');
    await panel.getByRole('button', { name: `Show all ${all.total_rows}` }).click();
    await expect
      .poll(() => panel.locator('[data-rows-shown]').textContent())
      .toBe(`1–50 of ${all.total_rows}`);
    await panel.getByRole('button', { name: 'Next' }).click();
    await expect
      .poll(() => panel.locator('[data-rows-shown]').textContent())
      .toBe(`51–${all.total_rows} of ${all.total_rows}`);
    await panel.getByRole('searchbox').fill('/doc/74');
    await expect.poll(() => panel.locator('tbody .row-link').allTextContents()).toEqual(['/doc/74']);

    const download = page.waitForEvent('download');
    await panel.getByRole('button', { name: 'Export CSV' }).click();
    const csv = await readFile((await (await download).path())!, 'utf8');
    const keys = csv
      .trim()
      .split('\r\n')
      .slice(1)
      .map((l) => l.split(',')[0]);
    // Every text cell is quoted (shared/csv.ts).
    expect(keys).toEqual(all.results.map((r) => `"${r.dimensions[0]}"`));
    await context.close();
  });

  it('shows a busy state, how fresh the figures are, and recovers from an outage without a click', async () => {
    const { server, dir } = await collector(VISITS);
    const port = new URL(server.url).port;
    const { context, page } = await open(server.url);
    await expect
      .poll(() => page.locator('[data-status]').textContent())
      .toMatch(/Updated (just now|\d+ s ago)/);
    await page.locator('[data-panel="realtime"] [data-live]').waitFor();

    // A range switch shows the busy state until its answers are in.
    const busy = page.waitForSelector('[data-status][data-busy]');
    await page.locator('[data-range="30d"]').click();
    await busy;
    await expect.poll(() => card(page, 'visitors')).toBe(await visitors(server.url, '30d'));

    await server.stop();
    // Realtime stops saying "live" at its next tick.
    await page.locator('[data-panel="realtime"] [data-stale]').waitFor({ timeout: 20_000 });
    await page.locator('[data-range="90d"]').click();
    await page.locator('[data-load-error]').waitFor();
    expect(await page.locator('[data-load-error]').textContent()).toContain('Retrying automatically');
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-outage.png` });

    const back = await startServer({ ANALYTICS_DATA_DIR: dir, ANALYTICS_ADMIN_TOKEN: TOKEN, PORT: port });
    servers.push(back);
    await indexReady(back.url);
    // No click: the backoff retry finds the collector again.
    await expect
      .poll(() => card(page, 'visitors'), { timeout: 30_000 })
      .toBe(await visitors(back.url, '90d'));
    expect(await page.locator('[data-load-error]').count()).toBe(0);
    await page.locator('[data-panel="realtime"] [data-live]').waitFor({ timeout: 20_000 });
    await context.close();
  });

  it('replaces the empty state with the first event within one realtime tick', async () => {
    const { server } = await collector([]);
    const { context, page } = await open(server.url);
    await page.locator('[data-empty]').waitFor();
    const res = await fetch(`${server.url}/api/event`, {
      method: 'POST',
      headers: {
        'content-type': 'text/plain',
        'user-agent':
          'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
      },
      body: JSON.stringify({ k: 'p', s: 'example.com', u: 'https://example.com/hello' }),
    });
    expect(res.status).toBe(202);
    await expect.poll(() => page.locator('[data-empty]').count(), { timeout: 15_000 }).toBe(0);
    expect(await card(page, 'pageviews')).toBe('1');
    await context.close();
  });

  it('keeps the filters that apply when switching site and says which it dropped', async () => {
    const { server } = await collector(VISITS, { ANALYTICS_SITES: `${SITE},other.test` });
    const { context, page } = await open(server.url, `?site=${SITE}&country=FR`);
    await page.getByLabel('Site').selectOption('other.test');
    await page.waitForURL(/site=other\.test/);
    expect(page.url()).not.toContain('country=');
    expect(await page.locator('[data-site-notice]').textContent()).toBe(
      'Filter Country is FR was dropped: other.test has no visits with it in this range.',
    );
    await context.close();
  });

  it('shows the chart in UTC with today dashed, and a tooltip on tap at phone width', async () => {
    const { server } = await collector(VISITS);
    const context = await browser.newContext({
      viewport: { width: 375, height: 812 },
      hasTouch: true,
      isMobile: true,
    });
    const page = await context.newPage();
    await page.goto(`${server.url}/admin/analytics#token=${TOKEN}`);
    await page.locator('[data-card="visitors"] [data-value]').waitFor();
    expect(await page.locator('.chart-legend').textContent()).toContain(
      'Days in UTC · dashed: the current period, so far',
    );
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    const over = page.locator('.chart .u-over');
    await over.scrollIntoViewIfNeeded();
    const box = (await over.boundingBox())!;
    // Tap near the right end: today, so far.
    await page.touchscreen.tap(box.x + box.width - 2, box.y + box.height / 2);
    await page.locator('[data-chart-tip]:not([hidden])').waitFor();
    const tip = (await page.locator('[data-chart-tip]').textContent()) ?? '';
    expect(tip).toMatch(/^\d{1,2} [A-Z][a-z]{2} \d{4} \(so far\)\nVisitors: \d+\nPage views: \d+$/);
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-phone-tap.png` });
    await context.close();
  });
});
