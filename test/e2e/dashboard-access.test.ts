// Accounts, roles, sign-out and public links as a person meets them in the browser: the real
// bundled collector, real Chromium, at phone width (375 px) unless a test needs more.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../support/server-process.ts';
import { SITE, startDashboard, type DashboardBed } from './dashboard-fixture.ts';

const TOKEN = 'dashboard-access-token-0123456789';
const OTHER = 'other.test';
const PHONE = { width: 375, height: 812 };

let bed: DashboardBed;
let browser: Browser;
let server: RunningServer;

/** The admin API as a script would call it, with the admin token. */
async function admin(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function addUser(name: string, password: string, roles: Record<string, string>): Promise<void> {
  const res = await admin('POST', '/api/admin/users', { name, password, roles });
  expect(res.status, await res.clone().text()).toBe(201);
}

beforeAll(async () => {
  bed = await startDashboard({ ANALYTICS_ADMIN_TOKEN: TOKEN, ANALYTICS_SITES: `${SITE},${OTHER}` });
  ({ browser, server } = bed);
  await addUser('olga', 'olga-password-123', { '*': 'owner' });
  await addUser('vera', 'vera-password-123', { [SITE]: 'viewer' });
});

afterAll(() => bed?.stop());

async function fresh(size = PHONE): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: size });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { context, page, errors };
}

async function signIn(page: Page, username: string, password: string, query = ''): Promise<void> {
  await page.goto(`${server.url}/admin/analytics${query}`);
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

const dashboardShown = (page: Page) => page.locator('[data-card="visitors"] [data-value]').waitFor();
const siteOptions = (page: Page) => page.getByLabel('Site').locator('option').allTextContents();
const fitsPhone = async (page: Page) =>
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);

describe('signing in with an account', () => {
  it('shows an owner every site and the team page', async () => {
    const { context, page, errors } = await fresh();
    await signIn(page, 'olga', 'olga-password-123');
    await dashboardShown(page);
    await expect.poll(() => siteOptions(page)).toEqual(['All sites', SITE, OTHER]);
    await page.locator('[data-account] summary').click();
    expect(await page.locator('[data-account]').textContent()).toContain('owner of every site');
    expect(await page.locator('[data-team-link]').count()).toBe(1);
    await fitsPhone(page);
    // A new tab of the same browser is signed in too.
    const tab = await context.newPage();
    await tab.goto(`${server.url}/admin/analytics`);
    await dashboardShown(tab);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows a viewer of one site only that site, with no picker, team page or "All sites"', async () => {
    const { context, page, errors } = await fresh();
    // The link asks for the other site and the team page: neither is this viewer's.
    await signIn(page, 'vera', 'vera-password-123', `?site=${OTHER}&section=team`);
    await dashboardShown(page);
    await page.waitForURL((u) => u.searchParams.get('site') === SITE);
    expect(page.url()).not.toContain('section=');
    expect(await page.locator('[data-team]').count()).toBe(0);
    expect(await page.getByLabel('Site').count()).toBe(0);
    await page.locator('[data-account] summary').click();
    expect(await page.locator('[data-account]').textContent()).toContain(`viewer of ${SITE}`);
    expect(await page.locator('[data-team-link]').count()).toBe(0);
    // The collector agrees: the sites list holds this one site, another site's figures are refused.
    const seen = await page.evaluate(async (other) => {
      const sites = (await (await fetch('/api/analytics/sites')).json()) as { sites: string[] };
      const overall = await fetch(`/api/analytics/overall?site=${other}&days=7`);
      return { sites: sites.sites, other: overall.status };
    }, OTHER);
    expect(seen).toEqual({ sites: [SITE], other: 403 });
    await fitsPhone(page);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('says when the password is wrong, and how long to wait once throttled', async () => {
    const { context, page } = await fresh();
    await signIn(page, 'nobody-here', 'not-the-password');
    await expect
      .poll(() => page.locator('.login [role="alert"]').textContent())
      .toBe('Wrong username or password.');
    let text = '';
    for (let i = 0; i < 15 && !/Try again in/.test(text); i++) {
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.locator('form.login:not([aria-busy="true"])').waitFor();
      text = (await page.locator('.login [role="alert"]').textContent()) ?? '';
    }
    expect(text).toMatch(/Try again in \d+ (s|min) \(at \d\d:\d\d UTC\)\.$/);
    await context.close();
  });
});

describe('signing out', () => {
  it('signs out, and the cookie is gone for the next reload', async () => {
    const { context, page } = await fresh();
    await signIn(page, 'vera', 'vera-password-123');
    await dashboardShown(page);
    await page.locator('[data-account] summary').click();
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    expect(await page.locator('[data-signin-notice]').textContent()).toBe('Signed out.');
    await page.reload();
    await page.locator('#username').waitFor();
    expect(await page.locator('[data-card]').count()).toBe(0);
    await context.close();
  });

  it('refuses a revoked session at the next action, in every browser of the account', async () => {
    const a = await fresh();
    const b = await fresh();
    await signIn(a.page, 'vera', 'vera-password-123');
    await signIn(b.page, 'vera', 'vera-password-123');
    await dashboardShown(a.page);
    await dashboardShown(b.page);
    // "Sign out everywhere" in one browser…
    await b.page.locator('[data-account] summary').click();
    await b.page.getByRole('button', { name: 'Sign out everywhere' }).click();
    await b.page.locator('[data-signin-notice]').waitFor();
    // …and the other's next click finds its session gone.
    await a.page.locator('[data-range="30d"]').click();
    await expect
      .poll(() => a.page.locator('.login [role="alert"]').textContent())
      .toContain('Your session has ended');
    // Removing an account ends its sessions at once too.
    await addUser('tess', 'tess-password-123', { [SITE]: 'viewer' });
    await signIn(a.page, 'tess', 'tess-password-123');
    await dashboardShown(a.page);
    expect((await admin('DELETE', '/api/admin/users/tess')).status).toBe(200);
    await a.page.locator('[data-range="90d"]').click();
    await a.page.locator('#username').waitFor();
    await a.context.close();
    await b.context.close();
  });
});

describe('team & sharing', () => {
  it('lets the owner add a colleague, create a key shown once, and publish a link, at 375 px', async () => {
    const { context, page, errors } = await fresh();
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.goto(`${server.url}/admin/analytics#token=${TOKEN}`);
    await dashboardShown(page);
    await page.locator('[data-account] summary').click();
    await page.locator('[data-team-link]').click();
    await page.waitForURL(/section=team/);
    await page.locator('[data-team-user="olga"]').waitFor();

    // A colleague, viewer of one site, then made admin of it.
    const add = page.locator('[data-add-user]');
    await add.getByLabel('Username').fill('carl');
    await add.getByLabel('Password').fill('carl-password-123');
    await add.getByLabel('Site').selectOption(SITE);
    await add.getByLabel('Role').selectOption('viewer');
    await add.getByRole('button', { name: 'Add' }).click();
    const carl = page.locator('[data-team-user="carl"]');
    await expect.poll(() => carl.textContent()).toContain(`viewer of ${SITE}`);
    await carl.getByRole('button', { name: 'Change roles' }).click();
    await carl.locator('[data-roles-editor]').getByLabel('Role').selectOption('admin');
    await carl.getByRole('button', { name: 'Save roles' }).click();
    await expect.poll(() => carl.textContent()).toContain(`admin of ${SITE}`);
    const users = (await (await admin('GET', '/api/admin/users')).json()) as {
      users: { name: string; roles: Record<string, string> }[];
    };
    expect(users.users.find((u) => u.name === 'carl')?.roles).toEqual({ [SITE]: 'admin' });

    // An API key whose name is markup: shown as text, the key once with a copy button.
    await page.getByLabel('Keys and links of').selectOption(SITE);
    const keys = page.locator('[data-team-keys]');
    const markup = '<img src=x onerror="window.__owned=1">';
    await keys.getByLabel('Name').fill(markup);
    await keys.getByLabel(/^track/).check();
    await keys.getByRole('button', { name: 'Create key' }).click();
    const shown = (await keys.locator('[data-new-key] code').textContent()) ?? '';
    expect(shown.length).toBeGreaterThan(20);
    await keys.getByRole('button', { name: 'Copy the key' }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(shown);
    await expect.poll(() => keys.locator('.team-name').allTextContents()).toContain(markup);
    expect(await page.evaluate(() => (window as { __owned?: number }).__owned)).toBeUndefined();
    // The key works for reading with its scope, and only once it is shown is it known.
    const read = await fetch(`${server.url}/api/analytics/overall?site=${SITE}&days=7`, {
      headers: { authorization: `Bearer ${shown}` },
    });
    expect(read.status).toBe(200);
    await keys.getByRole('button', { name: 'Done' }).click();
    expect(await keys.locator('[data-new-key]').count()).toBe(0);
    await keys.getByRole('button', { name: 'Revoke', exact: true }).click();
    await keys.getByRole('button', { name: /^Revoke </ }).click();
    await keys.getByText('No API keys for this site.').waitFor();
    const revoked = await fetch(`${server.url}/api/analytics/overall?site=${SITE}&days=7`, {
      headers: { authorization: `Bearer ${shown}` },
    });
    expect(revoked.status).toBe(401);

    // A public link with a password.
    const links = page.locator('[data-team-links]');
    await links.getByLabel('Password (optional)').fill('link-password-123');
    await links.getByRole('button', { name: 'Create link' }).click();
    const url = (await links.locator('[data-share-url]').first().textContent()) ?? '';
    expect(url).toMatch(new RegExp(`^${server.url}/share/[\\w-]{16,}$`));
    await links.getByRole('button', { name: 'Copy link' }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url);
    expect(await links.locator('[data-link]').first().textContent()).toContain('Password');

    await fitsPhone(page);
    const small = await page.evaluate(() =>
      [...document.querySelectorAll('[data-team] button, [data-team] input, [data-team] select')]
        .map((el) => ({ el, box: el.getBoundingClientRect() }))
        .filter(({ box }) => box.width > 0 && box.height > 0 && box.height < 44)
        .map(({ el }) => `${el.tagName} ${el.textContent?.trim().slice(0, 30)}`),
    );
    expect(small).toEqual([]);
    await page.screenshot({ path: 'test-artifacts/dashboard-team-phone.png', fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('a public link', () => {
  async function link(options: Record<string, unknown>): Promise<string> {
    const res = await admin('POST', '/api/admin/links', { site: SITE, ...options });
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: string }).id;
  }

  it('asks its password, shows its one site without users, and reaches nothing else', async () => {
    const id = await link({ password: 'link-password-123' });
    const { context, page, errors } = await fresh();
    const asked: string[] = [];
    page.on(
      'request',
      (r) => r.url().includes('/api/') && asked.push(new URL(r.url()).pathname + new URL(r.url()).search),
    );
    // It asks for another site and a user page: it gets neither.
    await page.goto(`${server.url}/share/${id}?site=${OTHER}&user=alice`);
    await page.locator('#link-password').fill('wrong-password-000');
    await page.getByRole('button', { name: 'Open' }).click();
    await expect
      .poll(() => page.locator('[role="alert"]').textContent())
      .toBe('Wrong password for this link.');
    await page.locator('#link-password').fill('link-password-123');
    await page.getByRole('button', { name: 'Open' }).click();
    await dashboardShown(page);
    expect(await page.locator('[data-public]').textContent()).toBe(`Public dashboard · ${SITE}`);
    expect(new URL(page.url()).searchParams.get('site')).toBe(SITE);
    expect(page.url()).not.toContain('user=');
    expect(await page.getByLabel('Site').count()).toBe(0);
    expect(await page.locator('[data-account], [data-team-link]').count()).toBe(0);
    await page.locator('[data-panel="realtime"] [data-active-now]').waitFor();
    expect(await page.locator('[data-panel="users"], [data-user-page]').count()).toBe(0);
    expect(await page.locator('[data-panel="realtime"]').textContent()).not.toMatch(/alice|bob/);
    // Every data request named this site; the users list was never asked for.
    expect(asked.filter((p) => p.startsWith('/api/analytics/users'))).toEqual([]);
    // The session cannot reach other sites, all sites, user pages or the admin API either.
    const statuses = await page.evaluate(async (other) => {
      const get = async (path: string) => (await fetch(path)).status;
      return [
        await get(`/api/analytics/overall?site=${other}&days=7`),
        await get('/api/analytics/overall?days=7'),
        await get('/api/analytics/user/alice'),
        await get('/api/admin/users'),
        await get(`/api/admin/links?site=${other}`),
      ];
    }, OTHER);
    expect(
      statuses.every((s) => s === 401 || s === 403),
      String(statuses),
    ).toBe(true);
    await fitsPhone(page);
    await page.screenshot({ path: 'test-artifacts/dashboard-public-phone.png', fullPage: true });

    // A reload keeps the link open on its session cookie: no password asked again, and none kept
    // in the page's storage.
    await page.reload();
    await dashboardShown(page);
    expect(await page.locator('[data-public]').textContent()).toBe(`Public dashboard · ${SITE}`);
    expect(await page.locator('#link-password').count()).toBe(0);
    const stored = await page.evaluate(() => JSON.stringify([{ ...localStorage }, { ...sessionStorage }]));
    expect(stored).not.toContain('link-password-123');

    // Revoked: the next visit says so.
    expect((await admin('DELETE', `/api/admin/links/${id}`)).status).toBe(200);
    await page.reload();
    await expect
      .poll(() => page.locator('[data-link-gone]').textContent())
      .toContain('does not work any more');
    expect(await page.locator('[data-card]').count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows the users table when it was created to, and an unknown link says it does not work', async () => {
    const id = await link({ show_users: true });
    const { context, page } = await fresh({ width: 1280, height: 800 });
    await page.goto(`${server.url}/share/${id}`);
    await dashboardShown(page);
    await page.locator('[data-panel="users"] button[data-user="alice"]').click();
    await page.locator('[data-user-page]').waitFor();
    await page.goto(`${server.url}/share/no-such-link-0000000000`);
    await expect
      .poll(() => page.locator('[data-link-gone]').textContent())
      .toContain('does not work any more');
    await context.close();
  });
});
