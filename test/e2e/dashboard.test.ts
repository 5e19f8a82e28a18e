import { mkdir, readFile } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configuredCards } from '../../dashboard/lib/load.ts';
import { PANELS, TOTAL_METRICS } from '../../dashboard/lib/queries.ts';
import { countryName } from '../../dashboard/lib/format.ts';
import { display } from '../../dashboard/ui/format-value.ts';
import type { OverallResponse, QueryRequest, QueryResponse, UserResponse } from '../../shared/api.ts';
import type { RunningServer } from '../support/server-process.ts';
import { SITE, startDashboard, type DashboardBed } from './dashboard-fixture.ts';

const TOKEN = 'dashboard-e2e-token-0123456789';
const ARTIFACTS = 'test-artifacts';

let bed: DashboardBed;
let browser: Browser;
let server: RunningServer;

beforeAll(async () => {
  bed = await startDashboard({ ANALYTICS_ADMIN_TOKEN: TOKEN, ANALYTICS_SITES: `${SITE},other.test` });
  ({ browser, server } = bed);
  await mkdir(ARTIFACTS, { recursive: true });
});

afterAll(() => bed?.stop());

const api = <T>(path: string, body?: unknown): Promise<T> => bed.api<T>(path, body);

async function open(
  size: { width: number; height: number },
  query = '',
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: size });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(`${server.url}/admin/analytics${query}#token=${TOKEN}`);
  await page.locator('[data-card="visitors"] [data-value]').waitFor();
  await page.locator('[data-panel="users"] table, [data-panel="users"] .empty').first().waitFor();
  expect(problems).toEqual([]);
  return { context, page };
}

async function cardText(page: Page, id: string): Promise<string> {
  return (await page.locator(`[data-card="${id}"] [data-value]`).textContent()) ?? '';
}

/** Waits until the dashboard has loaded the view the URL now names. */
async function settle(page: Page, card: string, expected: string): Promise<void> {
  await expect.poll(() => cardText(page, card), { timeout: 15_000 }).toBe(expected);
}

async function totals(range: string, filters: QueryRequest['filters'] = []) {
  const r = await api<QueryResponse>('/api/analytics/query', {
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

/** Labels of the first tab of a panel, as shown. */
async function panelLabels(page: Page, panel: string): Promise<string[]> {
  return page
    .locator(`[data-panel="${panel}"] table.list tbody tr td:first-child`)
    .allTextContents()
    .then((t) => t.map((s) => s.trim()));
}

describe('dashboard in Chromium', () => {
  it('signs in from the printed link, drops the token from the address bar and shows the API numbers (1280×800)', async () => {
    const { context, page } = await open({ width: 1280, height: 800 });
    expect(page.url()).not.toContain('token');
    // Traded for a session cookie that scripts cannot read; the token itself is kept nowhere.
    const kept = await page.evaluate(() =>
      JSON.stringify([{ ...sessionStorage }, { ...localStorage }, document.cookie]),
    );
    expect(kept).not.toContain(TOKEN);
    expect(kept).not.toContain('cfa_session');
    expect((await context.cookies()).map((c) => [c.name, c.httpOnly, c.sameSite])).toContainEqual([
      'cfa_session',
      true,
      'Strict',
    ]);

    const overall = await api<OverallResponse>('/api/analytics/overall?days=7');
    const t = await totals('7d');
    expect(t.visitors).toBe(overall.visitors);
    expect(await cardText(page, 'visitors')).toBe(display(overall.visitors, 'number'));
    expect(await cardText(page, 'sessions')).toBe(display(overall.sessions, 'number'));
    expect(await cardText(page, 'pageviews')).toBe(display(overall.pageviews, 'number'));
    expect(await cardText(page, 'bounce_rate')).toBe(display(overall.bounce_rate, 'percent'));
    expect(await cardText(page, 'session_duration')).toBe(display(overall.avg_session_duration, 'duration'));
    expect(await cardText(page, 'time_on_page')).toBe(display(overall.avg_time_on_page, 'duration'));
    expect(await cardText(page, 'active_users')).toBe(display(overall.active_users_24h, 'number'));
    expect(await cardText(page, 'shares')).toBe(display(overall.shares.total, 'number'));
    expect(configuredCards(overall.metrics).length).toBeGreaterThan(0);
    for (const m of configuredCards(overall.metrics)) {
      expect(await cardText(page, `metric:${m.id}`)).toBe(
        display(m.value, m.kind === 'rate' ? 'percent' : 'number'),
      );
    }
    // Every seed card is there.
    for (const label of [
      'Active users',
      'Total sessions',
      'Page views',
      'Total shares',
      'Avg session time',
      'Visitors',
      'Bounce rate',
      'Avg time on page',
    ]) {
      await expect.poll(() => page.getByText(label, { exact: false }).count()).toBeGreaterThan(0);
    }
    // The top lists show the API's rows.
    expect(await panelLabels(page, 'locations')).toEqual(overall.countries.map((c) => countryName(c.key)));
    expect((await panelLabels(page, 'pages')).slice(0, overall.pages.length)).toEqual(
      overall.pages.map((p) => p.key),
    );
    // CSV export of a table: the same rows, as a file.
    const download = page.waitForEvent('download');
    await page.locator('[data-panel="pages"] button', { hasText: 'Export CSV' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^popular-pages-page-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = await readFile((await file.path())!, 'utf8');
    const lines = csv.trim().split('\r\n');
    // Every text cell is quoted (shared/csv.ts).
    expect(lines[0]).toBe('"Page","Views","Visitors","Avg time","Scroll"');
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(overall.pages.map((p) => `"${p.key}"`));
    await page.locator('[data-panel="realtime"] [data-active-now]').waitFor();
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-desktop.png`, fullPage: true });
    await context.close();
  });

  it('filters every panel when a country row is clicked, with a removable chip kept in the URL', async () => {
    const { context, page } = await open({ width: 1280, height: 800 });
    await page.locator('[data-panel="locations"] button.row-link', { hasText: 'France' }).click();
    await page.waitForURL(/country=FR/);
    await expect
      .poll(() => page.locator('[data-filter="country"]').textContent())
      .toContain('Country is France');
    const filters: QueryRequest['filters'] = [['is', 'country', ['FR']]];
    const t = await totals('7d', filters);
    await settle(page, 'visitors', display(t.visitors, 'number'));
    expect(await cardText(page, 'pageviews')).toBe(display(t.pageviews, 'number'));

    // The first tab of every top-list panel equals the filtered query.
    for (const panel of PANELS) {
      const tab = panel.tabs[0]!;
      const r = await api<QueryResponse>('/api/analytics/query', {
        metrics: tab.metrics,
        dimensions: [tab.dimension],
        date_range: '7d',
        filters,
        limit: 10,
      });
      const expected = r.results.map((row) => {
        const key = row.dimensions[0]!;
        return tab.dimension === 'country' ? countryName(key) : key || tab.blank || '(none)';
      });
      await expect.poll(() => panelLabels(page, panel.id)).toEqual(expected);
    }
    expect(await panelLabels(page, 'locations')).toEqual(['France']);
    // Configured cards and active users narrow too: overall answers with the same filters.
    const narrowed = await api<OverallResponse>(
      `/api/analytics/overall?days=7&filters=${encodeURIComponent(JSON.stringify(filters))}`,
    );
    expect(await cardText(page, 'active_users')).toBe(display(narrowed.active_users_24h, 'number'));
    for (const m of configuredCards(narrowed.metrics))
      expect(await cardText(page, `metric:${m.id}`)).toBe(
        display(m.value, m.kind === 'rate' ? 'percent' : 'number'),
      );

    // Shared link: a fresh tab opened at this URL shows the same filtered view, still signed in
    // (the session is the browser's cookie, not the tab's).
    const url = page.url();
    const again = await context.newPage();
    await again.goto(url);
    await settle(again, 'visitors', display(t.visitors, 'number'));
    await again.close();

    await page.locator('[data-filter="country"] button').click();
    await page.waitForURL((u) => !u.search.includes('country'));
    const all = await totals('7d');
    await settle(page, 'visitors', display(all.visitors, 'number'));

    // The world map filters the same way: Germany's shape, shaded because it has visitors.
    const germany = page.locator('svg.map path', {
      has: page.locator('title', { hasText: /^Germany: 2 visitors$/ }),
    });
    expect(await germany.getAttribute('class')).not.toBe('m0');
    await germany.click();
    await page.waitForURL(/country=DE/);
    const de = await totals('7d', [['is', 'country', ['DE']]]);
    await settle(page, 'visitors', display(de.visitors, 'number'));
    await context.close();
  });

  it('filters on the visitors who did an action, with every report under the same filters and no note', async () => {
    const { context, page } = await open({ width: 1280, height: 800 });
    await page.locator('[data-panel="actions"] button.row-link', { hasText: 'photo_processed' }).click();
    await page.waitForURL(/action=photo_processed/);
    await expect
      .poll(() => page.locator('[data-filter="action"]').textContent())
      .toContain('Did action: photo_processed');
    const filters: QueryRequest['filters'] = [['is', 'visitor:action', ['photo_processed']]];
    const t = await totals('7d', filters);
    // Their page views, not the zero page views of the action records alone.
    expect(t.pageviews).toBeGreaterThan(0);
    await settle(page, 'visitors', display(t.visitors, 'number'));
    expect(await cardText(page, 'pageviews')).toBe(display(t.pageviews, 'number'));
    // The Actions panel still counts the action records of those visitors.
    const actions = await api<QueryResponse>('/api/analytics/query', {
      metrics: ['actions'],
      dimensions: ['event:name'],
      date_range: '7d',
      filters: [...filters, ['is', 'event:kind', ['action']]],
      limit: 10,
    });
    // (link_created too: those visitors did both.)
    await expect
      .poll(() => page.locator('[data-panel="actions"] tbody button.row-link').allTextContents())
      .toEqual(actions.results.map((r) => r.dimensions[0]));
    // Funnel, journeys and realtime were computed under these filters and this range: no note.
    // Retention is asked for 90 days on a 7-day view and says so.
    await page.locator('[data-panel="journeys"] table, [data-panel="journeys"] .empty').first().waitFor();
    await page.locator('[data-panel="retention"] table, [data-panel="retention"] .empty').first().waitFor();
    await page.locator('[data-panel="funnel"] .funnel-step, [data-panel="funnel"] .empty').first().waitFor();
    await page.locator('[data-panel="realtime"] [data-active-now]').waitFor();
    for (const id of ['funnel', 'journeys', 'realtime'])
      expect(await page.locator(`[data-panel="${id}"] [data-scope]`).count(), id).toBe(0);
    expect(await page.locator('[data-panel="retention"] [data-scope]').allTextContents()).toEqual([
      expect.stringMatching(
        /^Cohorts over 90 days \(\d{4}-\d{2}-\d{2} – \d{4}-\d{2}-\d{2} UTC\), not this view's range/,
      ),
    ]);
    await context.close();
  });

  it('switches between 24h, 7d, 30d and 90d', async () => {
    const { context, page } = await open({ width: 1280, height: 800 });
    const seen: number[] = [];
    for (const range of ['24h', '7d', '30d', '90d']) {
      await page.locator(`[data-range="${range}"]`).click();
      const t = await totals(range);
      await settle(page, 'visitors', display(t.visitors, 'number'));
      expect(await page.locator(`[data-range="${range}"]`).getAttribute('aria-pressed')).toBe('true');
      if (range !== '7d') expect(page.url()).toContain(`range=${range}`);
      seen.push(t.visitors);
    }
    // The fixture has visits in each band, so each wider range shows more visitors.
    expect(seen).toEqual([5, 7, 9, 10]);
    await context.close();
  });

  it('works with the keyboard: arrows between tabs, Enter on a row filters', async () => {
    const { context, page } = await open({ width: 1280, height: 800 });
    const tabs = page.locator('[data-panel="locations"] [role="tab"]');
    await tabs.first().focus();
    await page.keyboard.press('ArrowRight');
    expect(await tabs.nth(1).getAttribute('aria-selected')).toBe('true');
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Region');
    await page.locator('[data-panel="locations"] button.row-link').first().focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/region=/);
    await context.close();
  });

  it('switches between the configured sites', async () => {
    const { context, page } = await open({ width: 1280, height: 800 });
    const all = await totals('7d');
    const picker = page.getByLabel('Site');
    expect(await picker.locator('option').allTextContents()).toEqual(['All sites', SITE, 'other.test']);
    await picker.selectOption('other.test');
    await page.waitForURL(/site=other\.test/);
    await settle(page, 'visitors', '0');
    await picker.selectOption(SITE);
    await settle(page, 'visitors', display(all.visitors, 'number'));
    // No ANALYTICS_CARDS_SITES: the default funnel belongs to no single site. The panel says so
    // instead of showing the API's 400.
    await expect
      .poll(() => page.locator('[data-panel="funnel"] [data-funnel-hidden]').textContent())
      .toContain(`belongs to other sites (ANALYTICS_CARDS_SITES), not ${SITE}`);
    expect(await page.locator('[data-panel="funnel"] [role="alert"]').count()).toBe(0);
    await context.close();
  });

  it('opens a user page with their totals and journey', async () => {
    const { context, page } = await open({ width: 1280, height: 800 });
    await page.locator('[data-panel="users"] button[data-user="alice"]').click();
    await page.waitForURL(/user=alice/);
    await page.locator('[data-user-page] .timeline li').first().waitFor();
    const user = await api<UserResponse>('/api/analytics/user/alice?days=7');
    expect(await cardText(page, 'sessions')).toBe(display(user.sessions, 'number'));
    expect(await cardText(page, 'pageviews')).toBe(display(user.pageviews, 'number'));
    expect(await page.locator('[data-user-page] .timeline li').count()).toBe(user.journey.length);
    await expect.poll(() => page.locator('[data-user-page]').textContent()).toContain('Viewed /pricing');
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-user.png`, fullPage: true });
    await page.goBack();
    await page.locator('[data-card="visitors"]').waitFor();
    await context.close();
  });

  it('fits a 375×812 phone with touch targets of at least 44 px', async () => {
    const { context, page } = await open({ width: 375, height: 812 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    const small = await page.evaluate(() =>
      [...document.querySelectorAll('button, a, input, select')]
        .map((el) => ({ el, box: el.getBoundingClientRect() }))
        .filter(({ box }) => box.width > 0 && box.height > 0 && box.height < 44)
        .map(({ el }) => `${el.tagName} ${el.textContent?.trim().slice(0, 30)}`),
    );
    expect(small).toEqual([]);
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-phone.png`, fullPage: true });
    await context.close();
  });

  it('asks for the token again when it is refused', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const asked: string[] = [];
    page.on('request', (r) => r.url().includes('/api/') && asked.push(new URL(r.url()).pathname));
    await page.goto(`${server.url}/admin/analytics#token=wrong-token-wrong-token`);
    await page.getByText('That admin token was refused.').waitFor();
    expect(page.url()).not.toContain('token=');
    // One exchange, not a burst of data requests that would trip the collector's lockout.
    expect(asked).toEqual(['/api/auth/token']);
    await page.locator('#token').fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in with the token' }).click();
    await page.locator('[data-card="visitors"] [data-value]').waitFor();
    // A reload stays signed in, with no token anywhere but the cookie's session.
    await page.reload();
    await page.locator('[data-card="visitors"] [data-value]').waitFor();
    await context.close();
  });
});
