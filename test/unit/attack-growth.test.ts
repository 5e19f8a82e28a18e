import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../collector/config.ts';
import { createCollector, type Collector } from '../../server/collector.ts';
import { OTHER } from '../../collector/growth-caps.ts';
import type { StoredRecord } from '../../storage/schema.ts';
import { CHROME_UA, fixedClock, postEvent, tempDir, testCollector } from '../support/helpers.ts';
import { startServer, type RunningServer } from '../support/server-process.ts';

// Attacks on the index's growth through the public endpoint (security review H1, L7): every
// request is a real one into the real app or server, and what is stored is read back from the files.

// Counts calls into the real parser (it still answers them): unique referrers must not reach it.
const parser = vi.hoisted(() => ({ calls: 0 }));
vi.mock('@tryghost/referrer-parser', async (importOriginal) => {
  const real = await importOriginal<typeof import('@tryghost/referrer-parser')>();
  return {
    ...real,
    parse: (...args: Parameters<typeof real.parse>) => {
      parser.calls++;
      return real.parse(...args);
    },
  };
});

const NOW = Date.UTC(2026, 11, 6, 12);
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(env: Record<string, string> = {}) {
  const t = await testCollector(env, fixedClock(NOW));
  cleanups.push(t.cleanup);
  return t;
}

/** Posts `events` in batches of 25, each batch from its own address (as a botnet would). */
async function flood(collector: Collector, events: object[]): Promise<Record<number, number>> {
  const statuses: Record<number, number> = {};
  for (let i = 0; i < events.length; i += 25) {
    const res = await postEvent(collector, events.slice(i, i + 25), { ip: `10.1.${i >> 8}.${i & 255}` });
    statuses[res.status] = (statuses[res.status] ?? 0) + 1;
  }
  return statuses;
}

async function stored(collector: Collector): Promise<StoredRecord[]> {
  const records: StoredRecord[] = [];
  for await (const r of collector.store.scan()) records.push(r);
  return records;
}

async function health(collector: Collector) {
  return (
    await collector.app.request('/healthz', { headers: { authorization: `Bearer ${collector.adminToken}` } })
  ).json() as Promise<{
    drops: Record<string, number>;
    caps: { sites_today: number; sites_total: number; replaced: Record<string, number> };
    query_index: { rows: number };
  }>;
}

const distinct = <T>(values: T[]) => new Set(values).size;

describe('growth caps against a flood of unique values', () => {
  it('stores at most the default 1,000 action names and 50 prop keys per name / 200 per site, counting the rest', async () => {
    const { collector } = await setup();
    const events = Array.from({ length: 1100 }, (_, i) => ({
      k: 'a',
      s: 'victim.example',
      u: 'https://victim.example/',
      n: `name-${i}`,
      p: Object.fromEntries(Array.from({ length: 5 }, (_, k) => [`key-${i}-${k}`, k])),
    }));
    // One name with many keys, to reach the per-name cap before the per-site one.
    events.unshift(
      ...Array.from({ length: 20 }, (_, j) => ({
        k: 'a',
        s: 'victim.example',
        u: 'https://victim.example/',
        n: 'wide',
        p: Object.fromEntries(Array.from({ length: 5 }, (_, k) => [`wide-${j}-${k}`, 1])),
      })),
    );
    // Batches whose every event is refused answer 204.
    expect(Object.keys(await flood(collector, events))).toEqual(['202', '204']);
    const records = await stored(collector);
    expect(distinct(records.map((r) => r.name))).toBe(1000);
    expect(records.filter((r) => r.name === 'wide').flatMap((r) => Object.keys(r.props))).toHaveLength(50);
    expect(distinct(records.flatMap((r) => Object.keys(r.props)))).toBe(200);
    const h = await health(collector);
    expect(h.drops.cap_name).toBe(1120 - records.length);
    expect(records.length).toBe(1000 + 19);
    expect(h.caps.replaced.prop_key).toBeGreaterThan(800);
    expect(h.query_index.rows).toBe(records.length);
  });

  it('stores new paths, referrers and UTM values past their caps as "(other)" and keeps the page views', async () => {
    const { collector } = await setup({
      ANALYTICS_CAP_PATHS: '40',
      ANALYTICS_CAP_REFERRERS: '30',
      ANALYTICS_CAP_UTM: '20',
    });
    const events = Array.from({ length: 100 }, (_, i) => ({
      k: 'p',
      s: 'victim.example',
      u: `https://victim.example/p/${i}?utm_campaign=c${i}&utm_source=s${i}`,
      r: `https://spam-${i}.example/x`,
    }));
    await flood(collector, events);
    const records = await stored(collector);
    expect(records).toHaveLength(100);
    const paths = records.map((r) => r.path);
    expect(distinct(paths.filter((p) => p !== OTHER))).toBe(40);
    expect(paths.filter((p) => p === OTHER)).toHaveLength(60);
    expect(distinct(records.map((r) => r.referrer).filter((r) => r !== OTHER))).toBe(30);
    expect(distinct(records.map((r) => r.utm_campaign).filter((r) => r !== OTHER))).toBe(20);
    expect(distinct(records.map((r) => r.source).filter((r) => r !== OTHER))).toBeLessThanOrEqual(30);
    expect((await health(collector)).caps.replaced).toMatchObject({
      path: 60,
      referrer: 70,
      utm_campaign: 80,
    });
  });

  it('accepts at most 100 new sites a day when ANALYTICS_SITES is unset', async () => {
    const { collector } = await setup();
    const events = Array.from({ length: 150 }, (_, i) => ({ k: 'p', u: `https://site-${i}.example/` }));
    await flood(collector, events);
    expect(distinct((await stored(collector)).map((r) => r.site))).toBe(100);
    const h = await health(collector);
    expect(h.drops.cap_site).toBe(50);
    expect(h.caps).toMatchObject({ sites_today: 100, sites_total: 100 });
    // A site already seen today still gets in.
    expect((await postEvent(collector, { k: 'p', u: 'https://site-7.example/again' })).status).toBe(202);
  });

  it('applies the same name cap to server-side tracking, answering 429', async () => {
    const { collector } = await setup({ ANALYTICS_CAP_NAMES: '3' });
    const track = (action: string) =>
      collector.app.request('/api/analytics/track?site=victim.example', {
        method: 'POST',
        headers: { authorization: `Bearer ${collector.adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ user_id: 'u1', action }),
      });
    for (const name of ['a', 'b', 'c']) expect((await track(name)).status).toBe(202);
    const refused = await track('d');
    expect(refused.status).toBe(429);
    expect((await refused.json()).error).toMatch(/ANALYTICS_CAP_NAMES/);
    expect((await track('a')).status).toBe(202);
    expect(distinct((await stored(collector)).map((r) => r.name))).toBe(3);
  });

  it('keeps the caps across a restart by reading back the day already stored', async () => {
    const clock = fixedClock(NOW);
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const config = loadConfig({
      ANALYTICS_DATA_DIR: dir,
      ANALYTICS_RATE_LIMIT: '0',
      ANALYTICS_CAP_NAMES: '5',
      ANALYTICS_CAP_SITES_DAY: '2',
    });
    const first = await createCollector({ config, clock });
    const names = Array.from({ length: 5 }, (_, i) => ({
      k: 'a',
      s: 'a.example',
      u: 'https://a.example/',
      n: `n${i}`,
    }));
    await flood(first, [...names, { k: 'p', u: 'https://b.example/' }]);
    await first.close();
    // The index loads what was stored before its start; a clock that never moved would hide it.
    clock.advance(1000);
    const second = await createCollector({ config, clock });
    cleanups.push(() => second.close());
    await second.queryReady;
    await until(async () => (await health(second)).caps.sites_today === 2);
    const res = await postEvent(second, [
      { k: 'a', s: 'a.example', u: 'https://a.example/', n: 'n0' },
      { k: 'a', s: 'a.example', u: 'https://a.example/', n: 'fresh' },
      { k: 'p', u: 'https://c.example/' },
    ]);
    expect(await res.json()).toEqual({ accepted: 1, dropped: { cap_name: 1, cap_site: 1 } });
  });
});

describe('unique referrers (M4)', () => {
  it('are classified from the table without a full parse each, as the parser would name them', async () => {
    const { collector } = await setup();
    const before = parser.calls;
    const events = Array.from({ length: 500 }, (_, i) => ({
      k: 'p',
      s: 'victim.example',
      u: 'https://victim.example/',
      r: i % 2 ? `https://www.h${i}.example.net/p${i}` : `https://www.google.com/search/${i}`,
    }));
    await flood(collector, events);
    expect(parser.calls - before).toBe(0);
    const records = await stored(collector);
    expect(records).toHaveLength(500);
    expect(records[0]).toMatchObject({ source: 'Google', channel: 'search' });
    expect(records[1]).toMatchObject({ source: 'h1.example.net', channel: 'referral' });
    // Ghost's own site is the one host whose rules the parser keeps.
    await postEvent(collector, {
      k: 'p',
      s: 'victim.example',
      u: 'https://victim.example/',
      r: 'https://ghost.org/explore',
    });
    expect(parser.calls - before).toBe(1);
  });
});

describe('sites taken from the page URL (L7)', () => {
  it.each(['https://[::1]/', 'https://_under_score.com/', 'https://a..b/'])(
    'drops %s as bad_site and stores nothing',
    async (u) => {
      const { collector } = await setup();
      const res = await postEvent(collector, { k: 'p', u });
      expect(res.status).toBe(204);
      expect(res.headers.get('x-cfa-dropped')).toBe('bad_site');
      expect((await health(collector)).drops).toEqual({ bad_site: 1 });
      expect(await stored(collector)).toEqual([]);
    },
  );

  it('refuses the same names sent as s with a 400, and keeps good URL-derived sites', async () => {
    const { collector } = await setup();
    expect((await postEvent(collector, { k: 'p', s: 'a..b', u: 'https://a.example/' })).status).toBe(400);
    const res = await postEvent(collector, [
      { k: 'p', u: 'https://Good.Example:8443/x' },
      { k: 'p', u: 'https://_bad.example/' },
    ]);
    expect(await res.json()).toEqual({ accepted: 1, dropped: { bad_site: 1 } });
    expect((await stored(collector)).map((r) => r.site)).toEqual(['good.example']);
  });
});

describe('a unique-value flood against the real server', () => {
  let server: RunningServer | null = null;
  afterEach(async () => {
    await server?.stop();
    server = null;
  });

  it('keeps answering /healthz and legitimate ingest while the flood is capped', async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    server = await startServer({
      ANALYTICS_DATA_DIR: dir,
      ANALYTICS_RATE_LIMIT: '0',
      ANALYTICS_ADMIN_TOKEN: 'attack-test-admin-token-0123456789',
    });
    const url = server.url;
    const post = (body: unknown) =>
      fetch(`${url}/api/event`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', 'user-agent': CHROME_UA },
        body: JSON.stringify(body),
      });
    // A site that was already counting before the flood: which of the flood's 300 sites make the
    // first 100 depends on the order the 6 workers' batches arrive in, so none of them is a fair
    // stand-in for a legitimate site.
    expect((await post({ k: 'p', s: 'legit.example', u: 'https://legit.example/' })).status).toBe(202);
    let slowest = 0;
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const started = performance.now();
        const res = await fetch(`${url}/healthz`);
        expect(res.status).toBe(200);
        await res.arrayBuffer();
        slowest = Math.max(slowest, performance.now() - started);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const requests = 160;
    let next = 0;
    let accepted = 0;
    const worker = async () => {
      while (next < requests) {
        const r = next++;
        const batch = Array.from({ length: 25 }, (_, e) => {
          const i = r * 25 + e;
          return i % 2
            ? { k: 'p', u: `https://s${i % 300}.example/p${i}?utm_source=u${i}`, r: `https://r${i}.example/` }
            : {
                k: 'a',
                s: `s${i % 300}.example`,
                u: `https://s${i % 300}.example/`,
                n: `n${i}`,
                p: { [`k${i}`]: i },
              };
        });
        const res = await post(batch);
        expect([202, 204]).toContain(res.status);
        if (res.status === 202) accepted += ((await res.json()) as { accepted: number }).accepted;
      }
    };
    await Promise.all(Array.from({ length: 6 }, worker));
    polling = false;
    await poller;
    // Generous: the box is shared; an unbounded flood blocked it for seconds (review H1, C1).
    expect(slowest).toBeLessThan(3000);
    expect((await post({ k: 'p', s: 'legit.example', u: 'https://legit.example/after' })).status).toBe(202);
    const h = (await (
      await fetch(`${url}/healthz`, {
        headers: { authorization: 'Bearer attack-test-admin-token-0123456789' },
      })
    ).json()) as Awaited<ReturnType<typeof health>>;
    expect(h.caps.sites_today).toBe(100);
    expect(h.drops.cap_site).toBeGreaterThan(0);
    // Only what the caps let through reached the index: under a third of the flood's 300 sites.
    expect(h.query_index.rows).toBe(accepted + 2);
    expect(accepted).toBeLessThan((requests * 25) / 2);
    const overall = await fetch(`${url}/api/analytics/overall?days=1`, {
      headers: { authorization: 'Bearer attack-test-admin-token-0123456789' },
    });
    expect(overall.status).toBe(200);
  }, 120_000);
});

async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('condition not met within 2 s');
}
