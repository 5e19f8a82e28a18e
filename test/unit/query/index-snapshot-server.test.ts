import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CHROME_UA, IPHONE_UA, tempDir } from '../../support/helpers.ts';
import { startServer, type RunningServer } from '../../support/server-process.ts';

const TOKEN = 'admin-token-0123456789abcdef';
const running: RunningServer[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop('SIGKILL');
  for (const c of cleanups.splice(0)) await c();
});

async function start(dir: string): Promise<RunningServer> {
  const server = await startServer({ ANALYTICS_DATA_DIR: dir, ANALYTICS_ADMIN_TOKEN: TOKEN });
  running.push(server);
  return server;
}

async function ready(server: RunningServer): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const health = (await (await fetch(`${server.url}/healthz`)).json()) as {
      query_index: { ready: boolean };
    };
    if (health.query_index.ready) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('query index not ready');
}

/** The overall figures that do not move with the clock between two calls seconds apart. */
async function overall(server: RunningServer) {
  const res = await fetch(`${server.url}/api/analytics/overall?days=30`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  expect(res.status).toBe(200);
  const o = (await res.json()) as Record<string, unknown>;
  const keys = ['visitors', 'sessions', 'pageviews', 'bounce_rate', 'avg_time_on_page', 'actions', 'shares'];
  return { ...Object.fromEntries(keys.map((k) => [k, o[k]])), pages: o.pages, sources: o.sources };
}

describe('collector process with an index snapshot', () => {
  it('writes a snapshot on SIGTERM and answers the same overall from it after a restart', async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const first = await start(dir);
    await ready(first);
    const post = (ua: string, ip: string, body: unknown) =>
      fetch(`${first.url}/api/event`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', 'user-agent': ua, 'x-forwarded-for': ip },
        body: JSON.stringify(body),
      });
    const site = { s: 'example.com' };
    expect(
      (
        await post(CHROME_UA, '81.2.69.160', [
          { ...site, k: 'p', u: 'https://example.com/', r: 'https://www.google.com/' },
          { ...site, k: 'p', u: 'https://example.com/über-uns' },
          { ...site, k: 'e', u: 'https://example.com/über-uns', d: 4200, x: 80 },
          {
            ...site,
            k: 'a',
            u: 'https://example.com/upload',
            n: 'photo_processed',
            p: { processed_count: 7 },
          },
        ])
      ).status,
    ).toBe(202);
    expect(
      (
        await post(IPHONE_UA, '2.125.160.216', [
          { ...site, k: 'p', u: 'https://example.com/?utm_source=newsletter' },
          { ...site, k: 's', u: 'https://example.com/', n: 'whatsapp', l: 'https://example.com/s/1', c: 3 },
        ])
      ).status,
    ).toBe(202);
    const before = await overall(first);
    expect(before).toMatchObject({ visitors: 2, pageviews: 3 });

    expect(await first.stop()).toBe(0);
    expect(existsSync(join(dir, 'index', 'columns.snap'))).toBe(true);

    const second = await start(dir);
    await ready(second);
    expect(second.output()).toMatch(/6 rows from the snapshot and 0 stored after it/);
    expect(await overall(second)).toEqual(before);
    expect(await second.stop()).toBe(0);
  }, 60_000);
});
