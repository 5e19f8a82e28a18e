// A public link to a site with goals and segments, as its visitor meets it in Chromium: the
// owner defines a goal and a shared segment in the dashboard and publishes links (one with a
// password); the visitor reads the goal's conversion figures and applies the shared segment, but
// is offered no control that changes the site's settings, and no users (show_users off).
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conversionRate } from '../../dashboard/lib/goals.ts';
import { countryName } from '../../dashboard/lib/format.ts';
import { display } from '../../dashboard/ui/format-value.ts';
import type { Goal, GoalsResponse, QueryResponse, Segment } from '../../shared/api.ts';
import { tempDir } from '../support/helpers.ts';
import { startServer, type RunningServer } from '../support/server-process.ts';
import { launchChromium } from './chromium.ts';
import { indexReady, SITE, VISITS, visitRecords, writeVisits } from './dashboard-fixture.ts';

const TOKEN = 'dashboard-public-goals-token-0123456789';
const NOW = Date.now();
const DAY = 86_400_000;
const SEEDED = visitRecords(VISITS, NOW);

let browser: Browser;
let server: RunningServer;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const t = await tempDir();
  cleanup = t.cleanup;
  await writeVisits(t.dir, VISITS, NOW);
  server = await startServer({
    ANALYTICS_DATA_DIR: t.dir,
    ANALYTICS_ADMIN_TOKEN: TOKEN,
    ANALYTICS_SITES: SITE,
    ANALYTICS_CARDS_SITES: SITE,
  });
  await indexReady(server.url);
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await cleanup?.();
});

async function admin<T>(method: string, path: string, body?: unknown, status = 200): Promise<T> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(res.status, `${method} ${path}: ${await res.clone().text()}`).toBe(status);
  return (await res.json()) as T;
}

/** Distinct visitors of the seeded page views of the last 7 days matching `where`. */
function seededVisitors(where: (r: (typeof SEEDED)[number]) => boolean): number {
  return new Set(
    SEEDED.filter((r) => r.kind === 'pageview' && r.ts >= NOW - 7 * DAY && where(r)).map((r) => r.visitor),
  ).size;
}

async function fresh(width: number): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width, height: width < 500 ? 812 : 800 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  // A refused data or settings request is a control that should not have been offered (the
  // sign-in routes answer 401 before the link is opened, as they should).
  page.on('response', (r) => {
    const path = new URL(r.url()).pathname;
    if (path.startsWith('/api/') && !path.startsWith('/api/auth/') && r.status() >= 400)
      problems.push(`${r.status()} ${path}`);
  });
  return { page, problems };
}

const visitorsCard = (page: Page) => page.locator('[data-card="visitors"] [data-value]').textContent();

let goal: Goal;

/** Controls that change what the site's team sees: a link visitor gets none of them. */
async function editControls(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [
      ...document.querySelectorAll(
        '[data-cards-editor], [data-annotation-form], [data-goal-form], [data-new-funnel], [data-save-segment], [data-funnel-form], [data-account], [data-team-link]',
      ),
      ...[...document.querySelectorAll('button')].filter((b) =>
        /^(add goal|delete|edit|save|new funnel|×)/i.test(
          (b.getAttribute('aria-label') ?? b.textContent ?? '').trim(),
        ),
      ),
    ].map((el) => el.outerHTML.slice(0, 80)),
  );
}

/** What the visitor must see: the goal's figures and column, the shared segment, and nothing to edit. */
async function visitorSees(page: Page): Promise<void> {
  await page.locator('[data-card="visitors"] [data-value]').waitFor();
  expect(await page.locator('[data-public]').textContent()).toBe(`Public dashboard · ${SITE}`);

  // The goal's conversions and rate, as the API computes them for the owner.
  const { goals } = await admin<GoalsResponse>('GET', `/api/analytics/goals?site=${SITE}&days=7`);
  const figures = goals.find((g) => g.id === goal.id)!;
  expect(figures.conversions).toBe(seededVisitors((r) => r.path === '/pricing'));
  const row = page.locator(`[data-goal="${goal.id}"]`);
  await expect
    .poll(() => row.locator('[data-rate]').textContent(), { timeout: 15_000 })
    .toBe(display(figures.conversion_rate, 'percent'));
  expect(await row.textContent()).toContain(`${figures.conversions} / ${figures.visitors}`);
  // Picked: the country rows gain the rate of their own visitors.
  await row.getByRole('button', { name: 'Pricing', exact: true }).click();
  await expect.poll(() => new URL(page.url()).searchParams.get('goal')).toBe(goal.id);
  const by = async (filters: unknown[]) =>
    new Map(
      (
        await admin<QueryResponse>('POST', '/api/analytics/query', {
          site: SITE,
          metrics: ['visitors'],
          dimensions: ['country'],
          date_range: '7d',
          filters,
        })
      ).results.map((r) => [r.dimensions[0]!, r.metrics[0]!]),
    );
  const [visitors, converted] = await Promise.all([by([]), by([['visitor', goal.filter]])]);
  const expected = [...visitors.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([k, v]) => [countryName(k), display(conversionRate(converted.get(k) ?? 0, v), 'percent')]);
  const rows = page.locator('[data-panel="locations"] table.list[data-tab="countries"] tbody tr');
  await expect
    .poll(
      async () =>
        Promise.all(
          (await rows.all()).map(async (r) => [
            ((await r.locator('td:first-child').textContent()) ?? '').trim(),
            ((await r.locator('td:last-child').textContent()) ?? '').trim(),
          ]),
        ),
      { timeout: 15_000 },
    )
    .toEqual(expected);

  // The shared segment, not the owner's private one, and it narrows the view.
  await page.locator('[data-segment="Europe"]').waitFor();
  expect(await page.locator('[data-segment="Only mine"]').count()).toBe(0);
  await page.locator('[data-segment="Europe"] .row-link').click();
  await page.waitForURL((u) => u.searchParams.getAll('country').join() === 'FR,DE');
  const europe = await admin<QueryResponse>('POST', '/api/analytics/query', {
    site: SITE,
    metrics: ['visitors'],
    date_range: '7d',
    filters: [['is', 'country', ['FR', 'DE']]],
  });
  expect(europe.results[0]!.metrics[0]).toBe(seededVisitors((r) => r.country === 'FR' || r.country === 'DE'));
  await expect
    .poll(() => visitorsCard(page), { timeout: 15_000 })
    .toBe(display(europe.results[0]!.metrics[0]!, 'number'));

  // Reports yes; settings, users and user pages no.
  await page.locator('[data-panel="funnel"] .funnel-step').first().waitFor();
  await page.locator('[data-funnel="Signed up"]').waitFor();
  expect(await editControls(page)).toEqual([]);
  expect(await page.locator('[data-panel="users"], [data-user-page], button[data-user]').count()).toBe(0);
}

describe('a public link with goals and segments', () => {
  it('the owner defines a goal and a shared segment in the dashboard, then publishes links', async () => {
    const { page, problems } = await fresh(1280);
    await page.goto(`${server.url}/admin/analytics?site=${SITE}#token=${TOKEN}`);
    await page.locator('[data-card="visitors"] [data-value]').waitFor();
    await page.getByRole('button', { name: 'Add goal' }).click();
    await page.fill('[data-goal-form] input[name="goal-name"]', 'Pricing');
    await page.fill('[data-goal-form] input[name="goal-target"]', '/pricing');
    await page.getByRole('button', { name: 'Save goal' }).click();
    await page.locator('[data-panel="goals"] tbody tr', { hasText: 'Pricing' }).waitFor();

    for (const [name, countries, shared] of [
      ['Europe', 'FR, DE', true],
      ['Only mine', 'US', false],
    ] as const) {
      await page.locator('[data-open-filter-builder]').click();
      const builder = page.locator('[data-filter-builder]');
      await builder.locator('[data-fb-dimension]').selectOption('country');
      await builder.locator('[data-fb-op]').selectOption('is');
      await builder.locator('[data-fb-values]').fill(countries);
      await builder.locator('[data-fb-apply]').click();
      await page.getByLabel('Segment name').fill(name);
      if (shared) await page.getByText('Share with the team').click();
      await page.getByRole('button', { name: 'Save segment' }).click();
      await page.locator(`[data-segment="${name}"]`).waitFor();
      await page.locator('[data-filter="country"] button').click();
      await page.waitForURL((u) => !u.search.includes('country'));
    }
    // The owner is offered what the visitor will not be: the list is not empty by construction.
    expect((await editControls(page)).length).toBeGreaterThan(5);
    expect(problems).toEqual([]);
    await page.context().close();

    const { goals } = await admin<GoalsResponse>('GET', `/api/analytics/goals?site=${SITE}`);
    goal = goals.find((g) => g.name === 'Pricing')!;
    const { segments } = await admin<{ segments: Segment[] }>('GET', `/api/analytics/segments?site=${SITE}`);
    expect(segments.map((s) => [s.name, s.shared])).toEqual(
      expect.arrayContaining([
        ['Europe', true],
        ['Only mine', false],
      ]),
    );
    // A saved funnel and a note, whose edit and delete buttons a link must not get either.
    await admin(
      'POST',
      '/api/analytics/funnels',
      {
        site: SITE,
        name: 'Signed up',
        steps: [
          { type: 'page', value: '/' },
          { type: 'page', value: '/app' },
        ],
      },
      201,
    );
    await admin(
      'POST',
      '/api/analytics/annotations',
      {
        site: SITE,
        date: new Date(NOW - DAY).toISOString().slice(0, 10),
        text: 'Launch',
      },
      201,
    );
  }, 60_000);

  it('shows the goal and applies the shared segment through an open link, with nothing to edit (1280×800)', async () => {
    const { id } = await admin<{ id: string }>('POST', '/api/admin/links', { site: SITE }, 201);
    const { page, problems } = await fresh(1280);
    // It asks for a user page: show_users is off, so it gets none.
    await page.goto(`${server.url}/share/${id}?user=alice`);
    await visitorSees(page);
    expect(page.url()).not.toContain('user=');
    expect(problems).toEqual([]);
    await page.context().close();
  }, 60_000);

  it('does the same behind a password on a 375×812 phone', async () => {
    const { id } = await admin<{ id: string }>(
      'POST',
      '/api/admin/links',
      { site: SITE, password: 'link-password-123' },
      201,
    );
    const { page, problems } = await fresh(375);
    await page.goto(`${server.url}/share/${id}`);
    await page.locator('#link-password').fill('link-password-123');
    await page.getByRole('button', { name: 'Open' }).click();
    await visitorSees(page);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    expect(problems).toEqual([]);
    await page.context().close();
  }, 60_000);
});
