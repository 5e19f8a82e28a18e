import { afterAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/server-process.ts';
import { CHROME_UA, tempDir } from '../support/helpers.ts';

const TOKEN = 'bundle-test-token-0123456789';
const running: RunningServer[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const server of running) await server.stop();
  for (const cleanup of cleanups) await cleanup();
});

describe('the built collector (dist/server.mjs, what npm start runs)', () => {
  it('serves the beacon, the dashboard, ingestion with the spam list, and queries', async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const server = await startServer(
      { ANALYTICS_DATA_DIR: dir, ANALYTICS_ADMIN_TOKEN: TOKEN },
      { bundle: true },
    );
    running.push(server);
    // Set through the environment: the banner names the variable instead of printing the token.
    expect(server.output()).toContain('/admin/analytics (token: the value of ANALYTICS_ADMIN_TOKEN)');
    expect(server.output()).not.toContain(TOKEN);

    expect((await fetch(`${server.url}/beacon.js`)).status).toBe(200);
    const dashboard = await fetch(`${server.url}/admin/analytics`);
    expect([dashboard.status, dashboard.headers.get('content-type')]).toEqual([
      200,
      'text/html; charset=utf-8',
    ]);

    const send = (r?: string) =>
      fetch(`${server.url}/api/event`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', 'user-agent': CHROME_UA },
        body: JSON.stringify({ k: 'p', s: 'example.com', u: 'https://example.com/', ...(r ? { r } : {}) }),
      });
    // The vendored referrer-spam list is read next to the bundle.
    const spam = await send('https://buttons-for-website.com/');
    expect([spam.status, spam.headers.get('x-cfa-dropped')]).toEqual([204, 'referrer_spam']);
    expect((await send()).status).toBe(202);

    const overall = await fetch(`${server.url}/api/analytics/overall?days=1`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect((await overall.json()).pageviews).toBe(1);
    expect(await server.stop()).toBe(0);
  }, 30_000);
});
