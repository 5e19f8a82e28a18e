import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conversionRate } from '../../dashboard/lib/goals.ts';
import { display } from '../../dashboard/ui/format-value.ts';
import type { GoalsResponse, OverallResponse, QueryResponse } from '../../shared/api.ts';
import type { RunningServer } from '../support/server-process.ts';
import { SITE, startDashboard, type DashboardBed } from './dashboard-fixture.ts';

// An admin defines a goal and reads its conversion rate in every breakdown, edits a card, adds a
// note to the chart and switches it to weeks, on a desktop and on a phone.

const TOKEN = 'dashboard-goals-token-0123456789';
const BREAKDOWNS = ['locations', 'sources', 'pages', 'devices'];

let bed: DashboardBed;
let browser: Browser;
let server: RunningServer;

beforeAll(async () => {
  bed = await startDashboard({ ANALYTICS_ADMIN_TOKEN: TOKEN, ANALYTICS_SITES: SITE });
  ({ browser, server } = bed);
}, 60_000);

afterAll(() => bed?.stop());

const api = <T>(path: string, body?: unknown): Promise<T> => bed.api<T>(path, body);

async function open(
  width: number,
  height: number,
  query: string,
): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  await page.goto(`${server.url}/admin/analytics${query}#token=${TOKEN}`);
  await page.locator('[data-card="visitors"] [data-value]').waitFor();
  await page.locator('[data-panel="goals"]').waitFor();
  return { page, problems };
}

const columnHeads = (page: Page, panel: string) =>
  page.locator(`[data-panel="${panel}"] table.list thead th`).allTextContents();

/** The rate a country row shows, and the one the API's own figures give. */
async function countryRates(
  page: Page,
  goalFilter: unknown,
): Promise<{ shown: string[]; expected: string[] }> {
  const by = async (filters: unknown[]) =>
    new Map(
      (
        await api<QueryResponse>('/api/analytics/query', {
          site: SITE,
          metrics: ['visitors'],
          dimensions: ['country'],
          date_range: '30d',
          filters,
        })
      ).results.map((r) => [r.dimensions[0]!, r.metrics[0]!]),
    );
  const [visitors, converted] = await Promise.all([by([]), by([['visitor', goalFilter]])]);
  const rows = page.locator('[data-panel="locations"] table.list[data-tab="countries"] tbody tr');
  const shown = (await rows.locator('td:last-child').allTextContents()).map((s) => s.trim());
  const order = [...visitors.entries()]
    .filter(([k]) => k !== '')
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const expected = order.map(([k, v]) => display(conversionRate(converted.get(k) ?? 0, v), 'percent'));
  return { shown, expected };
}

describe('goals, cards, notes and intervals in Chromium', () => {
  it('defines a goal and reads its conversion rate, adds a card and a note, and draws weeks (1280×800)', async () => {
    const { page, problems } = await open(1280, 800, `?site=${SITE}&range=30d`);

    // A goal with a property condition, through the form.
    await page.getByRole('button', { name: 'Add goal' }).click();
    await page.fill('[data-goal-form] input[name="goal-name"]', 'Found a photo');
    await page.selectOption('[data-goal-form] select[name="goal-type"]', 'action');
    await page.fill('[data-goal-form] input[name="goal-target"]', 'search_performed');
    await page.fill('[data-goal-form] input[name="goal-prop"]', 'matches_found');
    await page.selectOption('[data-goal-form] select[name="goal-op"]', 'gt');
    await page.fill('[data-goal-form] input[name="goal-value"]', '0');
    await page.getByRole('button', { name: 'Save goal' }).click();
    const row = page.locator('[data-panel="goals"] tbody tr', { hasText: 'Found a photo' });
    await row.waitFor();
    const { goals } = await api<GoalsResponse>(`/api/analytics/goals?site=${SITE}&days=30`);
    const goal = goals.find((g) => g.name === 'Found a photo')!;
    expect(goal).toMatchObject({
      conversions: 1,
      definition: { condition: { prop: 'matches_found', op: 'gt', value: 0 } },
    });
    await expect
      .poll(() => row.locator('[data-rate]').textContent(), { timeout: 15_000 })
      .toBe(display(goal.conversion_rate, 'percent'));
    expect(await row.textContent()).toContain(`1 / ${goal.visitors}`);

    // Selected: every breakdown panel gains the column, and the URL keeps the choice.
    for (const panel of BREAKDOWNS) expect(await columnHeads(page, panel)).not.toContain('Conv. rate');
    await row.getByRole('button', { name: 'Found a photo', exact: true }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('goal')).toBe(goal.id);
    for (const panel of BREAKDOWNS)
      await expect.poll(() => columnHeads(page, panel), { timeout: 15_000 }).toContain('Conv. rate');
    const rates = await countryRates(page, goal.filter);
    expect(rates.shown).toEqual(rates.expected);
    expect(rates.shown).toContain('50%'); // DE: bob searched with 25 matches, one of two German visitors

    // A card of the site's own, at once.
    await page.locator('[data-cards-editor] summary').click();
    await page.fill('[data-card-form] input[name="card-label"]', 'Searches');
    await page.fill('[data-card-form] input[name="card-event"]', 'search_performed');
    await page.getByRole('button', { name: 'Add card' }).click();
    await page.getByRole('button', { name: 'Save cards' }).click();
    await expect
      .poll(() => page.locator('[data-card="metric:searches"] [data-value]').textContent(), {
        timeout: 15_000,
      })
      .toBe('1');
    const overall = await api<OverallResponse>(`/api/analytics/overall?site=${SITE}&days=30`);
    expect(overall.metrics.map((m) => [m.id, m.value])).toEqual([['searches', 1]]);

    // A note, drawn on the chart as text (never as markup).
    const day = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10);
    const text = '<img src=x onerror=alert(1)> Launched WhatsApp sharing';
    await page.locator('[data-annotations] summary').click();
    await page.fill('[data-annotation-form] input[name="note-date"]', day);
    await page.fill('[data-annotation-form] input[name="note-text"]', text);
    await page.getByRole('button', { name: 'Add note' }).click();
    const mark = page.locator('.chart-wrap [data-annotation]');
    await mark.waitFor();
    expect(await mark.locator('.annot-label').textContent()).toBe(text);
    expect(await mark.getAttribute('title')).toContain(text);
    expect(await page.locator('.chart-wrap img').count()).toBe(0);
    const chart = (await page.locator('.chart-wrap .chart').boundingBox())!;
    const line = (await mark.boundingBox())!;
    // Three days before the end of a 30-day range: in the last fifth of the plot.
    expect(line.x).toBeGreaterThan(chart.x + chart.width * 0.75);
    expect(line.x).toBeLessThan(chart.x + chart.width);

    // Weeks: the picker allows them on 30 days (not months), and the chart says so.
    const picker = page.locator('[data-interval]');
    expect(await picker.getByRole('button', { name: 'Month' }).isDisabled()).toBe(true);
    expect(await picker.getByRole('button', { name: 'Hour' }).isDisabled()).toBe(true);
    await picker.getByRole('button', { name: 'Week' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('interval')).toBe('week');
    await expect
      .poll(() => page.locator('.chart-legend').textContent(), { timeout: 15_000 })
      .toContain('Weeks (from Monday)');
    expect(await picker.getByRole('button', { name: 'Week' }).getAttribute('aria-pressed')).toBe('true');
    await page.locator('.chart-wrap [data-annotation]').waitFor();

    // A reload keeps the goal and the interval from the URL.
    await page.reload();
    await page.locator('[data-card="visitors"] [data-value]').waitFor();
    await expect.poll(() => columnHeads(page, 'pages'), { timeout: 15_000 }).toContain('Conv. rate');
    await expect
      .poll(() => page.locator('.chart-legend').textContent(), { timeout: 15_000 })
      .toContain('Weeks (from Monday)');
    expect(problems).toEqual([]);
    await page.context().close();
  }, 90_000);

  it('does the same on a 375×812 phone without overflowing it', async () => {
    const { goals } = await api<GoalsResponse>(`/api/analytics/goals?site=${SITE}&days=30`);
    const found = goals.find((g) => g.name === 'Found a photo')!;
    const { page, problems } = await open(375, 812, `?site=${SITE}&range=30d&interval=week&goal=${found.id}`);
    for (const panel of BREAKDOWNS)
      await expect.poll(() => columnHeads(page, panel), { timeout: 15_000 }).toContain('Conv. rate');
    await page.locator('.chart-wrap [data-annotation]').waitFor();

    await page.getByRole('button', { name: 'Add goal' }).click();
    await page.fill('[data-goal-form] input[name="goal-name"]', 'Pricing');
    await page.fill('[data-goal-form] input[name="goal-target"]', '/pric*');
    await page.getByRole('button', { name: 'Save goal' }).click();
    const row = page.locator('[data-panel="goals"] tbody tr', { hasText: 'Pricing' });
    await row.waitFor();
    const pricing = (await api<GoalsResponse>(`/api/analytics/goals?site=${SITE}&days=30`)).goals.find(
      (g) => g.name === 'Pricing',
    )!;
    expect(pricing.conversions).toBeGreaterThan(0);
    await expect
      .poll(() => row.locator('[data-rate]').textContent(), { timeout: 15_000 })
      .toBe(display(pricing.conversion_rate, 'percent'));

    await page.locator('[data-annotations] summary').click();
    expect(await page.locator('[data-annotations] li').count()).toBe(1);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    // A refused body says why, in the page.
    await page.getByRole('button', { name: 'Add goal' }).click();
    await page.fill('[data-goal-form] input[name="goal-name"]', 'Bad');
    await page.fill('[data-goal-form] input[name="goal-target"]', 'pricing');
    await page.getByRole('button', { name: 'Save goal' }).click();
    await expect
      .poll(() => page.locator('[data-goal-form] [role="alert"]').textContent(), { timeout: 15_000 })
      .toContain('page: must start with / or *');
    expect(problems).toEqual([]);
    await page.context().close();
  }, 90_000);
});
