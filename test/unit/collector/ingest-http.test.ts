import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { kindFile, utcDay } from '../../../storage/day-files.ts';
import { adminHealth, CHROME_UA, fixedClock, postEvent, testCollector } from '../../support/helpers.ts';

const T0 = Date.parse('2026-11-20T10:00:00Z');
const page = {
  k: 'p',
  s: 'example.com',
  u: 'https://example.com/pricing?utm_source=hn&secret=1',
  r: 'https://news.ycombinator.com/item?id=9',
};
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function setup(env: Record<string, string> = {}) {
  const t = await testCollector(env, fixedClock(T0));
  cleanups.push(t.cleanup);
  return t;
}

async function storedLines(dir: string, kind: 'pageview' | 'engagement' | 'action' | 'share') {
  const text = await readFile(kindFile(dir, utcDay(T0), kind), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

describe('POST /api/event', () => {
  it('stores an enriched page view and answers 202 once it is on disk', async () => {
    const { collector, dir } = await setup();
    const res = await postEvent(collector, page);
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 1, dropped: {} });
    const [record] = await storedLines(dir, 'pageview');
    expect(record).toMatchObject({
      ts: T0,
      kind: 'pageview',
      site: 'example.com',
      path: '/pricing',
      referrer: 'https://news.ycombinator.com/item',
      source: 'hn',
      utm_source: 'hn',
      country: 'GB',
      city: 'St Albans',
      browser: 'Chrome',
      os: 'Windows',
      device: 'desktop',
    });
    expect(record.visitor).toMatch(/^[0-9a-f]{16}$/);
    expect(JSON.stringify(record)).not.toContain('secret');
  });

  it('stores every field of a batch of engagement, action and share events', async () => {
    const { collector, dir } = await setup();
    const base = { s: 'example.com', u: 'https://example.com/photos', i: 'user123' };
    const res = await postEvent(collector, [
      { ...base, k: 'e', d: 4200, x: 75 },
      { ...base, k: 'a', n: 'photo_processed', p: { processed_count: 150, total_files: 200 } },
      { ...base, k: 's', n: 'WhatsApp', l: 'https://example.com/s/abc', c: 5, o: 1 },
    ]);
    expect(res.status).toBe(202);
    expect(await storedLines(dir, 'engagement')).toEqual([
      expect.objectContaining({ engaged_ms: 4200, scroll: 75, user: 'user123', path: '/photos' }),
    ]);
    expect(await storedLines(dir, 'action')).toEqual([
      expect.objectContaining({
        name: 'photo_processed',
        props: { processed_count: 150, total_files: 200 },
        user: 'user123',
      }),
    ]);
    expect(await storedLines(dir, 'share')).toEqual([
      expect.objectContaining({
        name: 'whatsapp',
        link: 'https://example.com/s/abc',
        recipients: 5,
        outcome: 'completed',
      }),
    ]);
  });

  it('accepts application/json and answers the CORS preflight', async () => {
    const { collector } = await setup();
    const pre = await collector.app.request('/api/event', { method: 'OPTIONS' });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    const res = await postEvent(collector, page, { headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(202);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  });

  it.each([
    ['malformed JSON', '{"k":', 400, 'body is not valid JSON'],
    ['a missing field', { k: 'p', s: 'example.com' }, 400, 'u:'],
    [
      'a body over 16 KiB',
      JSON.stringify({ ...page, p: { a: 'x'.repeat(17_000) } }),
      413,
      'body exceeds 16384 bytes',
    ],
  ])('answers %s with a clear JSON error', async (_name, body, status, message) => {
    const { collector, dir } = await setup();
    const res = await postEvent(collector, body);
    expect(res.status).toBe(status);
    expect((await res.json()).error).toContain(message);
    expect(await readdir(dir)).not.toContain('events');
  });

  it('refuses other content types with 415', async () => {
    const { collector } = await setup();
    const res = await postEvent(collector, page, { headers: { 'content-type': 'multipart/form-data' } });
    expect(res.status).toBe(415);
  });

  it('drops bots with 204 and a reason header, and counts them in /healthz', async () => {
    const { collector, dir } = await setup();
    const res = await postEvent(collector, page, { ua: 'Mozilla/5.0 (compatible; Googlebot/2.1)' });
    expect(res.status).toBe(204);
    expect(res.headers.get('x-cfa-dropped')).toBe('bot');
    expect(await readdir(dir)).not.toContain('events');
    const health = await adminHealth(collector);
    expect(health.drops).toEqual({ bot: 1 });
  });

  it('drops requests carrying Sec-GPC: 1 unless configured otherwise', async () => {
    const { collector } = await setup();
    const res = await postEvent(collector, page, { headers: { 'sec-gpc': '1' } });
    expect(res.status).toBe(204);
    expect(res.headers.get('x-cfa-dropped')).toBe('gpc');
    const other = await setup({ ANALYTICS_HONOR_GPC: '0' });
    expect((await postEvent(other.collector, page, { headers: { 'sec-gpc': '1' } })).status).toBe(202);
  });

  it('rejects sites outside ANALYTICS_SITES with 403', async () => {
    const { collector } = await setup({ ANALYTICS_SITES: 'example.com' });
    expect((await postEvent(collector, page)).status).toBe(202);
    const res = await postEvent(collector, { ...page, s: 'evil.com' });
    expect(res.status).toBe(403);
    expect((await res.json()).error).toContain('evil.com');
  });

  it('drops queued events older than 24 h and stores the rest', async () => {
    const { collector, dir } = await setup();
    const res = await postEvent(collector, [page, { ...page, g: 25 * 3600 * 1000 }]);
    expect(await res.json()).toEqual({ accepted: 1, dropped: { stale: 1 } });
    expect(await storedLines(dir, 'pageview')).toHaveLength(1);
  });

  it('drops a same-site link click as internal_link, not as invalid', async () => {
    const { collector } = await setup();
    const res = await postEvent(collector, {
      k: 'l',
      s: 'example.com',
      u: 'https://example.com/a',
      l: 'https://example.com/about.html',
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('x-cfa-dropped')).toBe('internal_link');
    const health = await adminHealth(collector);
    expect(health.drops).toEqual({ internal_link: 1 });
  });

  it('never lets the client set the time, IP or user agent', async () => {
    const { collector, dir } = await setup();
    await postEvent(collector, { ...page, ts: 1, ip: '9.9.9.9', ua: 'x', country: 'FR' });
    const [record] = await storedLines(dir, 'pageview');
    expect(record.ts).toBe(T0);
    expect(record.country).toBe('GB');
    expect(JSON.stringify(record)).not.toContain('9.9.9.9');
  });

  it('rate-limits one client with 429 and Retry-After', async () => {
    const { collector } = await setup({ ANALYTICS_RATE_LIMIT: '1', ANALYTICS_RATE_BURST: '2' });
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push((await postEvent(collector, page)).status);
    expect(codes).toEqual([202, 202, 429]);
    const limited = await postEvent(collector, page);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect((await postEvent(collector, page, { ip: '8.8.8.8' })).status).toBe(202);
  });

  it('ignores X-Forwarded-For unless ANALYTICS_TRUST_PROXY is set', async () => {
    const { collector, dir } = await setup({ ANALYTICS_TRUST_PROXY: '0' });
    await postEvent(collector, page);
    const [record] = await storedLines(dir, 'pageview');
    expect(record.country).toBeUndefined();
  });
});

describe('GET /beacon.js', () => {
  it('serves the built beacon with caching headers and answers 304 to a matching ETag', async () => {
    const { collector } = await setup();
    const res = await collector.app.request('/beacon.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('javascript');
    expect(res.headers.get('cache-control')).toContain('max-age=');
    const etag = res.headers.get('etag')!;
    expect(await res.text()).toContain('sendBeacon');
    const again = await collector.app.request('/beacon.js', { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
  });

  it('serves the debug build at /beacon.debug.js with the same headers, compression and 304s', async () => {
    const { collector } = await setup();
    const plain = await collector.app.request('/beacon.js');
    const debug = await collector.app.request('/beacon.debug.js');
    expect(debug.status).toBe(200);
    for (const name of [
      'content-type',
      'cache-control',
      'access-control-allow-origin',
      'x-content-type-options',
    ])
      expect([name, debug.headers.get(name)]).toEqual([name, plain.headers.get(name)]);
    const etag = debug.headers.get('etag')!;
    expect(etag).not.toBe(plain.headers.get('etag'));
    const code = await debug.text();
    expect(code).toBe(await readFile(join(import.meta.dirname, '../../../dist/beacon.debug.js'), 'utf8'));
    expect(code).toContain('cfa: skipped, ');
    expect(await plain.text()).not.toContain('cfa: skipped');
    const again = await collector.app.request('/beacon.debug.js', { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    // Another build's ETag is not this one's.
    const other = await collector.app.request('/beacon.debug.js', {
      headers: { 'if-none-match': plain.headers.get('etag')! },
    });
    expect(other.status).toBe(200);
    const br = await collector.app.request('/beacon.debug.js', { headers: { 'accept-encoding': 'br' } });
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(brotliDecompressSync(Buffer.from(await br.arrayBuffer())).toString()).toBe(code);
  });
});

describe('privacy', () => {
  it('writes no IP anywhere in the data dir', async () => {
    const { collector, dir } = await setup();
    const ips = ['81.2.69.160', '8.8.8.8', '2a00:1450:4001::1', '203.0.113.77'];
    for (const ip of ips) {
      expect(
        (await postEvent(collector, [page, { ...page, k: 'a', n: 'x' }], { ip, ua: CHROME_UA })).status,
      ).toBe(202);
    }
    await collector.close();
    const files = await readdir(dir, { recursive: true, withFileTypes: true });
    let scanned = 0;
    for (const f of files.filter((e) => e.isFile())) {
      const content = await readFile(join(f.parentPath, f.name), 'latin1');
      scanned += 1;
      for (const ip of ips) expect(content, `${f.name} holds ${ip}`).not.toContain(ip);
    }
    expect(scanned).toBeGreaterThanOrEqual(3); // salt, admin token, pageview and action files
  });
});

describe('GET /healthz', () => {
  it('answers the admin with store counters', async () => {
    const { collector } = await setup();
    await postEvent(collector, page);
    const health = await adminHealth(collector);
    expect(health).toMatchObject({ ok: true, store: { backend: 'json', written: 1, quarantinedLines: 0 } });
  });

  it('shows everyone else readiness only: no traffic counters, drops or error text', async () => {
    const { collector } = await setup();
    await postEvent(collector, page);
    await collector.queryReady;
    for (const authorization of [undefined, 'Basic dXNlcjpwYXNz']) {
      const res = await collector.app.request('/healthz', {
        headers: authorization ? { authorization } : {},
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        ok: true,
        query_index: { ready: true, progress: 1, warm: expect.any(Boolean) },
      });
    }
  });

  it('checks a Bearer token like any admin request: a wrong one is a counted guess', async () => {
    const { collector } = await setup();
    const guess = (i: number) =>
      collector.app.request('/healthz', {
        headers: { authorization: `Bearer guess-${i}-0123456789abcdef`, 'x-forwarded-for': '198.51.100.3' },
      });
    for (let i = 0; i < 10; i++) expect((await guess(i)).status).toBe(401);
    expect((await guess(10)).status).toBe(429);
  });
});

describe('IPv4-mapped IPv6 addresses', () => {
  it('are the same client as plain IPv4: same visitor id, same location', async () => {
    const { collector, dir } = await setup();
    expect((await postEvent(collector, page, { ip: '81.2.69.160' })).status).toBe(202);
    expect((await postEvent(collector, page, { ip: '::ffff:81.2.69.160' })).status).toBe(202);
    expect((await postEvent(collector, page, { ip: '::ffff:5102:45a0' })).status).toBe(202);
    const records = await storedLines(dir, 'pageview');
    expect(records).toHaveLength(3);
    expect(new Set(records.map((r) => r.visitor)).size).toBe(1);
    expect(records.map((r) => r.country)).toEqual(['GB', 'GB', 'GB']);
  });
});
