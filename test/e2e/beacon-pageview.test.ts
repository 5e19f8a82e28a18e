import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { kindFile, utcDay } from '../../storage/day-files.ts';
import { tempDir } from '../helpers.ts';
import { startServer, type RunningServer } from '../server-process.ts';
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

describe('beacon in Chromium', () => {
  it('a page with the tag produces a stored page view', async () => {
    const site = await servePages({
      '/landing': `<!doctype html><title>t</title><h1>Hi</h1>
        <script defer src="${server.url}/beacon.js" data-site="example.com" data-allow-localhost></script>`,
    });
    const context = await visitorContext(browser);
    const page = await context.newPage();
    const sent = page.waitForResponse((r) => r.url().endsWith('/api/event'));
    await page.goto(`${site.url}/landing?utm_source=newsletter`);
    expect((await sent).status()).toBe(202);
    await context.close();
    await site.close();
    const text = await readFile(kindFile(dir, utcDay(Date.now()), 'pageview'), 'utf8');
    expect(JSON.parse(text.trim())).toMatchObject({
      site: 'example.com',
      path: '/landing',
      utm_source: 'newsletter',
      browser: 'Chrome',
    });
  });
});
