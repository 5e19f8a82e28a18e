// An admin shapes the analysis in the dashboard: builds a three-step funnel, breaks
// photo_processed down by processed_count, saves and applies a segment, and compares with the
// previous period on the chart, at desktop and phone width, against the real bundled collector.
import { mkdir } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FunnelResponse, QueryResponse, SavedFunnel, Segment } from '../../shared/api.ts';
import { formatNumber } from '../../dashboard/lib/format.ts';
import { tempDir } from '../support/helpers.ts';
import { startServer, type RunningServer } from '../support/server-process.ts';
import { launchChromium } from './chromium.ts';
import { indexReady, SITE, VISITS, writeVisits, type Visit } from './dashboard-fixture.ts';

const TOKEN = 'dashboard-analysis-token-0123456789';
const ARTIFACTS = 'test-artifacts';
const DAY = 86_400_000;
// Visits of the week before, so the previous period has figures of its own.
const EARLIER: Visit[] = [
  {
    ago: 9 * DAY,
    visitor: 'e1',
    country: 'FR',
    browser: 'Chrome',
    os: 'Windows',
    device: 'desktop',
    pages: ['/'],
  },
  {
    ago: 10 * DAY,
    visitor: 'e2',
    country: 'DE',
    browser: 'Chrome',
    os: 'Windows',
    device: 'desktop',
    pages: ['/app'],
  },
];

let browser: Browser;
let server: RunningServer;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const t = await tempDir();
  cleanup = t.cleanup;
  await writeVisits(t.dir, [...VISITS, ...EARLIER]);
  server = await startServer({ ANALYTICS_DATA_DIR: t.dir, ANALYTICS_ADMIN_TOKEN: TOKEN });
  await indexReady(server.url);
  browser = await launchChromium();
  await mkdir(ARTIFACTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await cleanup?.();
});

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(res.status).toBeLessThan(300);
  return (await res.json()) as T;
}

async function open(query: string, size = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport: size });
  const page = await context.newPage();
  await page.goto(`${server.url}/admin/analytics${query}#token=${TOKEN}`);
  await page.locator('[data-card="visitors"] [data-value]').waitFor();
  return { context, page };
}

const visitorsCard = (page: Page) => page.locator('[data-card="visitors"] [data-value]').textContent();

async function visitorsUnder(filters: unknown[]): Promise<string> {
  const r = await api<QueryResponse>('POST', '/api/analytics/query', {
    site: SITE,
    metrics: ['visitors'],
    date_range: '7d',
    filters,
  });
  return formatNumber(r.results[0]!.metrics[0]!);
}

describe('analysis an admin shapes in the dashboard', () => {
  it('builds a three-step funnel, saved and computed per step', async () => {
    const { context, page } = await open(`?site=${SITE}`);
    await page.locator('[data-new-funnel]').click();
    const form = page.locator('[data-funnel-form]');
    await form.locator('[data-funnel-name]').fill('Process then share');
    await form.getByLabel('Step 1 value').fill('*');
    await form.getByLabel('Step 2 type').selectOption('action');
    await form.getByLabel('Step 2 value').fill('photo_processed');
    await form.getByLabel('Step 3 type').selectOption('share');
    await form.locator('[data-save-funnel]').click();
    const funnel = page.locator('[data-funnel="Process then share"]');
    await funnel.locator('[data-step="3"] [data-step-visitors]').waitFor();

    const saved = await api<{ funnels: SavedFunnel[] }>('GET', `/api/analytics/funnels?site=${SITE}`);
    expect(saved.funnels.map((f) => f.steps.map((s) => s.type))).toEqual([['page', 'action', 'share']]);
    const expected = await api<FunnelResponse>('POST', '/api/analytics/funnel', {
      site: SITE,
      date_range: '7d',
      steps: saved.funnels[0]!.steps,
    });
    expect(expected.steps[1]!.visitors).toBeGreaterThan(expected.steps[2]!.visitors);
    const shown = await funnel.locator('[data-step-visitors]').allTextContents();
    expect(shown).toEqual(expected.steps.map((s) => formatNumber(s.visitors)));
    await page.screenshot({ path: `${ARTIFACTS}/analysis-funnel-desktop.png`, fullPage: true });
    await context.close();
  });

  it('breaks photo_processed down by processed_count and filters on a value', async () => {
    const { context, page } = await open(`?site=${SITE}`);
    await page.locator('[data-properties-action]').selectOption('photo_processed');
    const prop = page.locator('[data-property="processed_count"]');
    await prop.waitFor();
    // 150 and 10 in the fixture's last day
    await expect.poll(() => prop.locator('[data-numeric]').textContent()).toMatch(/Sum 160 · Average 80/);
    expect(await prop.locator('[data-histogram] .hist-bar').count()).toBeGreaterThan(1);
    await prop.getByRole('button', { name: '150' }).click();
    await page.waitForURL((u) => u.searchParams.get('prop.processed_count') === '150');
    await expect.poll(() => page.locator('.chip').first().textContent()).toMatch(/processed_count is 150/);
    await expect
      .poll(() => visitorsCard(page))
      .toBe(await visitorsUnder([['is', 'event:props:processed_count', ['150']]]));
    await context.close();
  });

  it('saves a segment from built filters and applies it in one click', async () => {
    const { context, page } = await open(`?site=${SITE}`);
    await page.locator('[data-open-filter-builder]').click();
    const builder = page.locator('[data-filter-builder]');
    await builder.locator('[data-fb-dimension]').selectOption('country');
    await builder.locator('[data-fb-op]').selectOption('is');
    await builder.locator('[data-fb-values]').fill('FR, DE');
    await builder.locator('[data-fb-apply]').click();
    await page.waitForURL((u) => u.searchParams.getAll('country').join() === 'FR,DE');
    const europe = await visitorsUnder([['is', 'country', ['FR', 'DE']]]);
    await expect.poll(() => visitorsCard(page)).toBe(europe);

    await page.getByLabel('Segment name').fill('Europe');
    await page.getByText('Share with the team').click();
    await page.getByRole('button', { name: 'Save segment' }).click();
    await page.locator('[data-segment="Europe"]').waitFor();
    const segments = await api<{ segments: Segment[] }>('GET', `/api/analytics/segments?site=${SITE}`);
    expect(segments.segments).toMatchObject([
      { name: 'Europe', shared: true, filters: [['is', 'country', ['FR', 'DE']]] },
    ]);

    // another filter kind, then the segment back in one click
    await page.locator('[data-open-filter-builder]').click();
    await builder.locator('[data-fb-dimension]').selectOption('country');
    await builder.locator('[data-fb-op]').selectOption('is_not');
    await builder.locator('[data-fb-values]').fill('US');
    await builder.locator('[data-fb-apply]').click();
    await page.waitForURL((u) => u.searchParams.get('country.is_not') === 'US');
    await expect.poll(() => visitorsCard(page)).toBe(await visitorsUnder([['is_not', 'country', ['US']]]));
    await page.locator('[data-segment="Europe"] .row-link').click();
    await page.waitForURL((u) => u.searchParams.getAll('country').join() === 'FR,DE');
    await expect.poll(() => visitorsCard(page)).toBe(europe);
    await context.close();
  });

  it('compares with the previous period: a second line on the chart and a change per row', async () => {
    const { context, page } = await open(`?site=${SITE}`);
    expect(await page.locator('[data-line="compared"]').count()).toBe(0);
    await page.locator('[data-compare]').selectOption('previous_period');
    await page.waitForURL((u) => u.searchParams.get('compare') === 'previous_period');
    await expect
      .poll(() => page.locator('[data-line="compared"]').textContent())
      .toBe('Visitors, previous period');
    // France: more visitors this week than the one before; the row says by how much
    const fr = page.locator('[data-tab="countries"] tr', { hasText: 'France' });
    await expect.poll(() => fr.locator('[data-change]').first().textContent()).toMatch(/^\+\d+%$/);
    await page.screenshot({ path: `${ARTIFACTS}/analysis-compare-desktop.png`, fullPage: true });
    await context.close();
  });

  it('does all of it at phone width', async () => {
    const { context, page } = await open(`?site=${SITE}&compare=previous_period`, {
      width: 375,
      height: 812,
    });
    await expect.poll(() => page.locator('[data-line="compared"]').count()).toBe(1);
    await page.locator('[data-funnel="Process then share"] [data-step="3"]').waitFor();
    await page.locator('[data-segment="Europe"] .row-link').click();
    await page.waitForURL((u) => u.searchParams.getAll('country').join() === 'FR,DE');
    await page.locator('[data-properties-action]').selectOption('photo_processed');
    await page.locator('[data-property="processed_count"] [data-histogram]').waitFor();
    await page.locator('[data-open-filter-builder]').click();
    await page.locator('[data-filter-builder]').waitFor();
    // nothing wider than the phone: no sideways scrolling
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(375);
    await page.screenshot({ path: `${ARTIFACTS}/analysis-phone.png`, fullPage: true });
    await context.close();
  });
});
