import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { RecordKind } from '../../storage/schema.ts';
import { kindFile, utcDay } from '../../storage/day-files.ts';
import { tempDir } from '../support/helpers.ts';
import { startServer, type RunningServer } from '../support/server-process.ts';
import { launchChromium, servePages, visitorContext } from './chromium.ts';

let browser: Browser;
let server: RunningServer;
let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  server = await startServer({ ANALYTICS_DATA_DIR: dir });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await cleanup?.();
});

async function records(kind: RecordKind): Promise<Record<string, unknown>[]> {
  const text = await readFile(kindFile(dir, utcDay(Date.now()), kind), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

/** Waits until the collector has stored `count` records of `kind` (it answers after fsync). */
async function waitFor(kind: RecordKind, count: number): Promise<Record<string, unknown>[]> {
  for (let i = 0; i < 200; i++) {
    const found = await records(kind);
    if (found.length >= count) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return records(kind);
}

describe('beacon in Chromium against the real collector', () => {
  it('stores page views, SPA navigation, engaged time, scroll depth and shares from a plain HTML page', async () => {
    const site = await servePages({
      '/landing': `<!doctype html><title>Photos</title>
        <h1>Your photos</h1>
        <a id="wa" target="_blank" href="https://wa.me/?text=See%20https%3A%2F%2Fexample.com%2Fs%2Fabc">Share on WhatsApp</a>
        <button id="native" onclick="navigator.share({ url: 'https://example.com/s/native' })">Share…</button>
        <button id="spa" onclick="history.pushState({}, '', '/gallery')">Gallery</button>
        <div style="height: 4000px"></div>
        <script defer src="${server.url}/beacon.js" data-site="example.com" data-allow-localhost></script>`,
    });
    const context = await visitorContext(browser);
    // Headless Chromium has no share sheet: the page gets one that completes.
    await context.addInitScript(() => {
      Object.defineProperty(Navigator.prototype, 'share', {
        value: () => Promise.resolve(),
        writable: true,
        configurable: true,
      });
    });
    // The WhatsApp link opens a tab; answer it locally instead of reaching the internet.
    await context.route('https://wa.me/**', (route) =>
      route.fulfill({ body: 'ok', contentType: 'text/plain' }),
    );
    const page = await context.newPage();

    const landed = page.waitForResponse((r) => r.url().endsWith('/api/event'));
    await page.goto(`${site.url}/landing?utm_source=newsletter&utm_medium=email`, {
      referer: 'https://www.google.com/search?q=cloudface',
    });
    expect((await landed).status()).toBe(202);

    await page.mouse.wheel(0, 2500);
    await page.waitForFunction(() => scrollY > 0);
    const popup = context.waitForEvent('page');
    await page.click('#wa');
    await (await popup).close();
    await page.click('#native');
    await page.waitForTimeout(300); // some engaged time on the landing page
    await page.click('#spa');
    await page.waitForTimeout(300);
    await page.close({ runBeforeUnload: true });

    const views = await waitFor('pageview', 2);
    const engagement = await waitFor('engagement', 2);
    const shares = await waitFor('share', 2);
    await context.close();
    await site.close();

    expect(views).toEqual([
      expect.objectContaining({
        site: 'example.com',
        path: '/landing',
        referrer: 'https://www.google.com/search',
        utm_source: 'newsletter',
        utm_medium: 'email',
        channel: 'email',
        browser: 'Chrome',
      }),
      expect.objectContaining({ path: '/gallery' }),
    ]);
    expect(views[1]).not.toHaveProperty('referrer');
    expect(engagement.map((e) => e.path)).toEqual(['/landing', '/gallery']);
    for (const e of engagement) expect(e.engaged_ms).toBeGreaterThan(0);
    expect(engagement[0]!.scroll).toBeGreaterThan(50);
    expect(shares.map(({ name, link, outcome }) => ({ name, link, outcome }))).toEqual([
      { name: 'whatsapp', link: 'https://example.com/s/abc', outcome: undefined },
      { name: 'native', link: 'https://example.com/s/native', outcome: 'completed' },
    ]);
  });

  it('counts hash-routing navigation with data-hash and stores tagged actions, downloads and outbound links', async () => {
    const before = { views: (await records('pageview')).length, actions: (await records('action')).length };
    const site = await servePages({
      '/app': `<!doctype html><title>App</title>
        <a id="settings" href="#/settings">Settings</a>
        <button id="tag" data-cfa-event="photo_processed" data-cfa-prop-processed_count="150">Process</button>
        <a id="pdf" href="/files/guide.pdf" download>Guide</a>
        <a id="out" href="https://other.example.org/docs?token=1" target="_blank">Docs</a>
        <script defer src="${server.url}/beacon.js" data-site="app.example.com" data-hash data-allow-localhost></script>`,
    });
    const context = await visitorContext(browser);
    await context.route('https://other.example.org/**', (route) => route.fulfill({ body: 'ok' }));
    const page = await context.newPage();
    // The download and the popup are the browser's business; the page only has to stay usable.
    page.on('download', (d) => void d.cancel());
    await page.goto(`${site.url}/app#/inbox`);
    await page.click('#settings');
    await page.click('#tag');
    await page.click('#pdf');
    const popup = context.waitForEvent('page');
    await page.click('#out');
    await (await popup).close();
    await page.close({ runBeforeUnload: true });

    const views = (await waitFor('pageview', before.views + 2)).slice(before.views);
    const actions = (await waitFor('action', before.actions + 3)).slice(before.actions);
    await context.close();
    await site.close();

    expect(views.map((v) => [v.site, v.path])).toEqual([
      ['app.example.com', '/app#/inbox'],
      ['app.example.com', '/app#/settings'],
    ]);
    expect(actions.map(({ name, props, link }) => ({ name, props, link }))).toEqual([
      { name: 'photo_processed', props: { processed_count: '150' }, link: undefined },
      { name: 'file_download', props: undefined, link: `${site.url}/files/guide.pdf` },
      { name: 'outbound_link', props: undefined, link: 'https://other.example.org/docs' },
    ]);
  });

  it('beacon.debug.js logs why it skipped (twice, localhost) under data-debug; beacon.js logs nothing and counts the same', async () => {
    const before = (await records('pageview')).length;
    const tag = (file: string, extra: string) =>
      `<script defer src="${server.url}/${file}" data-site="debug.example.com" data-debug ${extra}></script>`;
    const pages: Record<string, string> = {};
    for (const file of ['beacon.js', 'beacon.debug.js']) {
      // Included twice (a theme and a tag manager): one copy runs, the other says why it does not.
      pages[`/twice/${file}`] = `<!doctype html><title>Twice</title>
        ${tag(file, 'data-allow-localhost')}${tag(file, 'data-allow-localhost')}`;
      // The site is on 127.0.0.1 and the tag does not allow it: nothing is sent.
      pages[`/local/${file}`] = `<!doctype html><title>Local</title>${tag(file, '')}`;
    }
    const site = await servePages(pages);
    const context = await visitorContext(browser);
    const seen: Record<string, { logged: string[]; sent: number }> = {};
    for (const path of Object.keys(pages)) {
      const page = await context.newPage();
      const logged: string[] = [];
      let sent = 0;
      page.on('console', (m) => void (m.type() === 'log' && logged.push(m.text())));
      page.on('request', (r) => void (r.url().endsWith('/api/event') && sent++));
      const marker = page.waitForEvent('console', (m) => m.text() === 'test: done');
      await page.goto(`${site.url}${path}`);
      // Console messages arrive in order: whatever the beacons logged came before this one.
      await page.evaluate(() => console.log('test: done'));
      await marker;
      await page.close({ runBeforeUnload: true });
      seen[path] = { logged: logged.filter((t) => t !== 'test: done'), sent };
    }
    const views = (await waitFor('pageview', before + 2)).slice(before);
    await context.close();
    await site.close();

    expect(seen).toEqual({
      '/twice/beacon.js': { logged: [], sent: expect.any(Number) },
      '/twice/beacon.debug.js': { logged: ['cfa: skipped, twice'], sent: expect.any(Number) },
      '/local/beacon.js': { logged: [], sent: 0 },
      '/local/beacon.debug.js': { logged: ['cfa: skipped, localhost'], sent: 0 },
    });
    for (const file of ['beacon.js', 'beacon.debug.js'])
      expect(seen[`/twice/${file}`]!.sent).toBeGreaterThan(0);
    // One page view each where the tag ran (twice included), none where it skipped.
    expect(views.map((v) => [v.site, v.path])).toEqual([
      ['debug.example.com', '/twice/beacon.js'],
      ['debug.example.com', '/twice/beacon.debug.js'],
    ]);
  });
});
