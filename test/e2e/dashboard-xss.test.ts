import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/helpers.ts';
import { startServer, type RunningServer } from '../support/server-process.ts';
import { launchChromium } from './chromium.ts';
import { indexReady, writeVisits, type Visit } from './dashboard-fixture.ts';

// Stored XSS probe: visitors control paths, referrers, UTM values, action names, prop values and
// user ids. If the dashboard ever turned one into markup, the image's onerror or the script would
// run (or, under the CSP, at least appear in the DOM): both fail the test.
const IMG = '<img src=x onerror="window.__xss=(window.__xss||0)+1">';
const SCRIPT = '"><script>window.__xss=(window.__xss||0)+1</script>';
const EVIL_USER = `u${IMG}`;

const HOSTILE: Visit[] = [
  {
    ago: 30 * 60_000,
    visitor: 'h1',
    user: EVIL_USER,
    country: 'FR',
    region: IMG,
    city: SCRIPT,
    browser: IMG,
    os: SCRIPT,
    device: 'desktop',
    source: SCRIPT,
    channel: IMG,
    referrer: `https://evil.example/${IMG}`,
    utm: { source: IMG, medium: SCRIPT, campaign: `${IMG}${SCRIPT}` },
    pages: [`/${IMG}`, `/${SCRIPT}`, '/ok'],
    actions: [{ name: IMG, props: { [SCRIPT]: IMG, n: 1 } }, { name: SCRIPT }],
    shares: [{ channel: IMG, recipients: 2 }],
  },
  {
    ago: 10 * 60_000,
    visitor: 'h2',
    user: SCRIPT,
    country: 'DE',
    browser: 'Chrome',
    os: 'Windows',
    device: 'desktop',
    pages: [`/${SCRIPT}`],
  },
];

const TOKEN = 'dashboard-xss-token-0123456789';
let browser: Browser;
let server: RunningServer;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const t = await tempDir();
  cleanup = t.cleanup;
  await writeVisits(t.dir, HOSTILE);
  server = await startServer({ ANALYTICS_DATA_DIR: t.dir, ANALYTICS_ADMIN_TOKEN: TOKEN });
  await indexReady(server.url);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await cleanup?.();
});

describe('dashboard XSS probe', () => {
  it('shows hostile paths, referrers, UTM values, action names, props and user ids as text only', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const injected = async () =>
      page.evaluate(() => ({
        ran: (window as unknown as { __xss?: number }).__xss ?? 0,
        imgs: document.querySelectorAll('img:not([src="/admin/analytics/icon.svg"])').length,
        scripts: [...document.querySelectorAll('script')].filter(
          (s) => !s.src.endsWith('/admin/analytics/main.js'),
        ).length,
        handlers: [...document.querySelectorAll('*')].filter((el) =>
          [...el.attributes].some((a) => a.name.startsWith('on')),
        ).length,
      }));

    await page.goto(`${server.url}/admin/analytics?range=24h#token=${TOKEN}`);
    await page.locator('[data-panel="users"] table').waitFor();
    // The payloads are on the page, as text.
    await expect
      .poll(() => page.locator('[data-panel="pages"]').textContent())
      .toContain('/<img src=x onerror=');
    // Walk every tab of every panel so each hostile value is rendered at least once.
    const tabs = page.locator('[role="tab"]');
    for (let i = 0; i < (await tabs.count()); i++) {
      await tabs.nth(i).click();
      expect(await injected()).toEqual({ ran: 0, imgs: 0, scripts: 0, handlers: 0 });
    }
    const body = (await page.locator('body').textContent()) ?? '';
    // The walk ends on each panel's last tab: UTM campaign, City, and the actions list.
    expect(await page.locator('[data-panel="sources"]').textContent()).toContain(`${IMG}${SCRIPT}`);
    expect(await page.locator('[data-panel="locations"]').textContent()).toContain(SCRIPT);
    expect(await page.locator('[data-panel="actions"]').textContent()).toContain(IMG);
    expect(body).toContain(IMG);
    expect(body).toContain(SCRIPT);

    // Filter by a hostile value: it goes through the URL and a chip.
    await page.locator('[data-panel="pages"] [role="tab"]', { hasText: /^\s*Page\s*$/ }).click();
    await page.locator('[data-panel="pages"] button.row-link', { hasText: 'onerror' }).first().click();
    await page.waitForURL(/page=/);
    await page.locator('[data-filter="page"]').waitFor();
    expect(await injected()).toEqual({ ran: 0, imgs: 0, scripts: 0, handlers: 0 });

    // The hostile user's own page: id in the title, props in the journey.
    await page.goto(`${server.url}/admin/analytics?range=24h&user=${encodeURIComponent(EVIL_USER)}`);
    await page.locator('[data-user-page] .timeline li').first().waitFor();
    expect(await page.locator('[data-user-page]').textContent()).toContain(EVIL_USER);
    expect(await injected()).toEqual({ ran: 0, imgs: 0, scripts: 0, handlers: 0 });
    expect(dialogs).toEqual([]);
    await page.screenshot({ path: 'test-artifacts/dashboard-xss-user.png', fullPage: true });
    await context.close();
  });
});
