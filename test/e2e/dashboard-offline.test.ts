import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/helpers.ts';
import { startServer, type RunningServer } from '../support/server-process.ts';
import { launchChromium } from './chromium.ts';
import { indexReady, VISITS, writeVisits } from './dashboard-fixture.ts';

const TOKEN = 'dashboard-offline-token-0123456789';
let browser: Browser;
const servers: RunningServer[] = [];
const cleanups: (() => Promise<void>)[] = [];

async function collector(withData: boolean): Promise<RunningServer> {
  const t = await tempDir();
  cleanups.push(t.cleanup);
  if (withData) await writeVisits(t.dir, VISITS);
  const server = await startServer({ ANALYTICS_DATA_DIR: t.dir, ANALYTICS_ADMIN_TOKEN: TOKEN });
  servers.push(server);
  await indexReady(server.url);
  return server;
}

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  for (const s of servers) await s.stop();
  for (const c of cleanups) await c();
});

describe('dashboard offline and empty states', () => {
  it('shows the last data with an offline badge when the connection drops, and refreshes when it returns', async () => {
    const server = await collector(true);
    const context = await browser.newContext({ viewport: { width: 375, height: 812 } });
    const page = await context.newPage();
    await page.goto(`${server.url}/admin/analytics#token=${TOKEN}`);
    await page.locator('[data-card="visitors"] [data-value]').waitFor();
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    // The first load happened before the worker controlled the page: reload once under its control
    // so the answers pass through it and land in its cache.
    await page.reload();
    await page.locator('[data-panel="users"] table').waitFor();
    expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
    const visitors = await page.locator('[data-card="visitors"] [data-value]').textContent();
    expect(await page.locator('[data-offline]').count()).toBe(0);

    await context.setOffline(true);
    await page.reload();
    await page.locator('[data-offline]').waitFor();
    // "Offline" shows at once; the age follows when the cached answers are in.
    await expect
      .poll(() => page.locator('[data-offline]').textContent())
      .toMatch(/Offline · data from (just now|\d+ min ago)/);
    await expect.poll(() => page.locator('[data-card="visitors"] [data-value]').textContent()).toBe(visitors);
    await page.screenshot({ path: 'test-artifacts/dashboard-offline.png', fullPage: false });
    // Answers naming users were never cached: only aggregate figures are kept on the device.
    const keys = await page.evaluate(async () =>
      (await (await caches.open('cfa-api-v1')).keys()).map((r) => new URL(r.url).pathname),
    );
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.filter((k) => /\/(users|user\/|realtime)/.test(k))).toEqual([]);

    // Another tab on this device, offline, with a made-up token: the cache proves nothing.
    const stranger = await context.newPage();
    await stranger.goto(`${server.url}/admin/analytics#token=made-up-token-0123456789`);
    await expect
      .poll(() => stranger.locator('.login [role="alert"]').textContent())
      .toMatch(/No connection to the collector: signing in needs it/);
    expect(await stranger.locator('[data-card="visitors"]').count()).toBe(0);
    await stranger.close();

    await context.setOffline(false);
    await expect.poll(() => page.locator('[data-offline]').count(), { timeout: 15_000 }).toBe(0);

    // Signing out empties the cache: offline, the next tab gets the sign-in form, not the figures.
    await page.locator('[data-account] summary').click();
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.locator('[data-signin-notice]').waitFor();
    await expect
      .poll(() => page.evaluate(async () => (await (await caches.open('cfa-api-v1')).keys()).length))
      .toBe(0);
    await context.setOffline(true);
    await page.reload();
    await page.locator('.login').waitFor();
    expect(await page.locator('[data-card="visitors"]').count()).toBe(0);
    await context.close();
  });

  it('shows the exact tag snippet while nothing has been recorded', async () => {
    const server = await collector(false);
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${server.url}/admin/analytics#token=${TOKEN}`);
    await page.locator('[data-empty]').waitFor();
    const origin = new URL(server.url).origin;
    expect(await page.locator('[data-empty] pre').textContent()).toBe(
      `<script defer src="${origin}/beacon.js" data-site="example.com"></script>`,
    );
    expect(await page.locator('[data-empty] h2').textContent()).toContain('No data yet');
    await page.screenshot({ path: 'test-artifacts/dashboard-empty.png' });
    await context.close();
  });
});
