import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import {
  adminHealth,
  CHROME_UA,
  IPHONE_UA,
  fixedClock,
  postEvent,
  tempDir,
  testCollector,
} from '../support/helpers.ts';
import { startServer, type RunningServer } from '../support/server-process.ts';

const DAY = 86_400_000;
const running: RunningServer[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop('SIGKILL');
  for (const c of cleanups.splice(0)) await c();
});

/** Deterministic public addresses: no private, loopback, link-local, CGNAT or multicast ranges. */
function routableIps(n: number): string[] {
  const ips: string[] = [];
  let x = 12345;
  const rand = () => (x = (x * 1103515245 + 12345) % 2 ** 31);
  while (ips.length < n) {
    const a = 1 + (rand() % 223);
    const b = rand() % 256;
    if ([0, 10, 127].includes(a) || (a === 100 && b >= 64 && b < 128) || (a === 169 && b === 254)) continue;
    if ((a === 172 && b >= 16 && b < 32) || (a === 192 && b === 168)) continue;
    ips.push(`${a}.${b}.${rand() % 256}.${1 + (rand() % 254)}`);
  }
  for (let i = 0; i < n / 5; i++)
    ips.push(`2a00:1450:${(rand() % 65535).toString(16)}::${(i + 1).toString(16)}`);
  return ips;
}

/** Every file under `dir`, gzipped ones unpacked, as text. */
async function everyFile(dir: string): Promise<{ path: string; text: string }[]> {
  const out: { path: string; text: string }[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const raw = await readFile(path);
    out.push({ path, text: (path.endsWith('.gz') ? gunzipSync(raw) : raw).toString('latin1') });
  }
  return out;
}

describe('privacy', () => {
  it('writes no client IP to any file in the data dir or to the log, across many routable IPs', async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const server = await startServer({
      ANALYTICS_DATA_DIR: dir,
      ANALYTICS_TRUST_PROXY: '1',
      ANALYTICS_RATE_LIMIT: '0',
    });
    running.push(server);
    const ips = routableIps(300);
    const statuses = new Map<number, number>();
    for (const [n, ip] of ips.entries()) {
      // Every kind of request: stored events, a bad body, a bot, a GPC request, a proxy chain.
      const body =
        n % 10 === 9
          ? '{"k":"p","s":'
          : JSON.stringify([
              {
                k: 'p',
                s: 'example.com',
                u: `https://example.com/p/${n}`,
                r: 'https://news.ycombinator.com/',
              },
              {
                k: 'a',
                s: 'example.com',
                u: 'https://example.com/p',
                n: 'photo_processed',
                i: `user-${n % 7}`,
              },
            ]);
      const res = await fetch(`${server.url}/api/event`, {
        method: 'POST',
        headers: {
          'content-type': 'text/plain',
          'user-agent': n % 10 === 8 ? 'curl/8.5.0' : n % 2 ? CHROME_UA : IPHONE_UA,
          'x-forwarded-for': n % 3 === 0 ? `${ip}, 10.0.0.1` : ip,
          ...(n % 10 === 7 ? { 'sec-gpc': '1' } : {}),
        },
        body,
      });
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      await res.arrayBuffer();
    }
    expect(await server.stop()).toBe(0);
    expect(statuses.get(202)).toBeGreaterThan(200);
    expect([...statuses.keys()].sort()).toEqual([202, 204, 400]);

    const files = await everyFile(dir);
    const stored = files
      .filter((f) => f.path.includes('/events/'))
      .map((f) => f.text)
      .join('');
    // The IPs were really used: locations were derived from them before they were dropped.
    expect(stored).toMatch(/"country":"[A-Z]{2}"/);
    const log = server.output();
    for (const ip of ips) {
      for (const file of files) expect(file.text.includes(ip), `${ip} in ${file.path}`).toBe(false);
      expect(log.includes(ip), `${ip} in the log`).toBe(false);
    }
  }, 60_000);

  it('deletes salts older than 48 h at the day change, so visitor ids cannot be recomputed', async () => {
    const t0 = Date.parse('2026-11-20T12:00:00Z');
    const clock = fixedClock(t0);
    const { collector, dir, cleanup } = await testCollector({}, clock);
    cleanups.push(cleanup);
    const page = { k: 'p', s: 'example.com', u: 'https://example.com/' };
    const visitors: string[] = [];
    for (let day = 0; day < 3; day++) {
      clock.set(t0 + day * DAY);
      expect((await postEvent(collector, page)).status).toBe(202);
    }
    expect((await readdir(join(dir, 'salts'))).sort()).toEqual(['2026-11-21', '2026-11-22']);
    for (const file of await everyFile(join(dir, 'events'))) visitors.push(JSON.parse(file.text).visitor);
    // Same IP and browser on three days: three unrelated ids.
    expect(new Set(visitors).size).toBe(3);
  });

  it('drops events sent with Sec-GPC: 1 by default and counts them', async () => {
    const { collector, cleanup } = await testCollector();
    cleanups.push(cleanup);
    const res = await postEvent(
      collector,
      { k: 'p', s: 'example.com', u: 'https://example.com/' },
      { headers: { 'sec-gpc': '1' } },
    );
    expect(res.status).toBe(204);
    expect((await adminHealth(collector)).drops).toEqual({ gpc: 1 });
  });
});
