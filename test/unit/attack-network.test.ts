import { readdir } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FailedAuthLimiter } from '../../collector/auth.ts';
import { ExpiringMap } from '../../collector/expiring-map.ts';
import { MAX_TRACKED_CLIENTS, RateLimiter } from '../../collector/rate-limit.ts';
import { CHROME_UA, tempDir } from '../support/helpers.ts';
import { startServer, type RunningServer } from '../support/server-process.ts';

const ADMIN = 'attack-admin-token-0123456789';
const PAGE = JSON.stringify({ k: 'p', s: 'example.com', u: 'https://example.com/' });

/**
 * Attacks from the security review (H3, H4, L9, M3), each against the real server process or the
 * real limiter. All traffic goes to 127.0.0.1; the test plays the reverse proxy by sending the
 * X-Forwarded-For a proxy would forward: whatever the client sent, then the peer it saw.
 */
describe.each([
  ['a hop count (ANALYTICS_TRUST_PROXY=1)', '1'],
  ['a proxy address (ANALYTICS_TRUST_PROXY=127.0.0.1)', '127.0.0.1'],
])('spoofed X-Forwarded-For behind %s', (_name, trust) => {
  let server: RunningServer;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    const dir = await tempDir();
    cleanup = dir.cleanup;
    server = await startServer({
      ANALYTICS_DATA_DIR: dir.dir,
      ANALYTICS_ADMIN_TOKEN: ADMIN,
      ANALYTICS_TRUST_PROXY: trust,
      ANALYTICS_RATE_LIMIT: '1',
      ANALYTICS_RATE_BURST: '10',
    });
  });
  afterAll(async () => {
    await server.stop('SIGKILL');
    await cleanup();
  });

  const admin = (forwarded: string, token: string) =>
    fetch(`${server.url}/api/analytics/realtime`, {
      headers: { 'x-forwarded-for': forwarded, authorization: `Bearer ${token}` },
    });
  const event = (headers: Record<string, string>) =>
    fetch(`${server.url}/api/event`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', 'user-agent': CHROME_UA, ...headers },
      body: PAGE,
    });
  const statuses = async (responses: Promise<Response>[]) => {
    const counts: Record<number, number> = {};
    for (const res of await Promise.all(responses)) counts[res.status] = (counts[res.status] ?? 0) + 1;
    return counts;
  };

  it("cannot lock out the admin by naming the admin's address in the leftmost hop", async () => {
    for (let i = 0; i < 10; i++) {
      expect((await admin('198.51.100.7, 203.0.113.66', `wrong-token-${i}-0000000000`)).status).toBe(401);
    }
    // The attacker locked itself out, not the address it named.
    expect((await admin('198.51.100.7, 203.0.113.66', ADMIN)).status).toBe(429);
    expect((await admin('198.51.100.7', ADMIN)).status).toBe(200);
  });

  it('cannot go on guessing by rotating the leftmost hop', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 14; i++) {
      codes.push((await admin(`10.0.${i}.1, 203.0.113.67`, `guess-${i}-000000000000`)).status);
    }
    expect(codes).toEqual([...new Array(10).fill(401), 429, 429, 429, 429]);
  });

  it('cannot get past the ingest rate limit by rotating the leftmost hop or X-Real-IP', async () => {
    const rotated = Array.from({ length: 30 }, (_, i) =>
      event({ 'x-forwarded-for': `10.1.${i}.1, 203.0.113.68`, 'x-real-ip': `10.2.${i}.1` }),
    );
    const counts = await statuses(rotated);
    // A burst of 10 plus at most a token or two refilled while the requests were in flight.
    expect(counts[202]).toBeLessThanOrEqual(12);
    expect(counts[429]).toBeGreaterThanOrEqual(18);
  });

  it('limits an IPv6 client by its /64, so rotating the interface id does not help', async () => {
    const rotated = Array.from({ length: 30 }, (_, i) =>
      event({ 'x-forwarded-for': `2001:db8:77:1:${i.toString(16)}::1` }),
    );
    const counts = await statuses(rotated);
    expect(counts[202]).toBeLessThanOrEqual(12);
    expect(counts[429]).toBeGreaterThanOrEqual(18);
    // Another /64 has its own bucket.
    expect((await event({ 'x-forwarded-for': '2001:db8:77:2::1' })).status).toBe(202);
  });
});

describe('the failure and rate maps under a flood of addresses', () => {
  it('looks at O(1) entries per operation over 200k distinct keys, and stays bounded', () => {
    let checks = 0;
    const map = new ExpiringMap<number>(50_000, (since, now) => {
      checks += 1;
      return now - since >= 60_000;
    });
    let now = 0;
    let largest = 0;
    for (let i = 0; i < 200_000; i++) {
      now += 1; // 1 ms apart: the 60 s window holds far more than the cap, so the cap evicts
      map.set(`client-${i}`, now, now);
      map.get(`client-${i >> 1}`, now);
      largest = Math.max(largest, map.size);
    }
    expect(largest).toBe(50_000);
    // A full scan per operation would be billions of checks; oldest-first sweeping stops at the
    // first live entry, so each operation checks about one entry plus the ones it removes.
    expect(checks).toBeLessThan(3 * 400_000);

    checks = 0;
    now += 60_000; // everything expired: one sweep removes it all, once
    map.get('anyone', now);
    expect(map.size).toBe(0);
    expect(checks).toBeLessThanOrEqual(50_001);
  });

  it('keeps the failed-login map at MAX_TRACKED_CLIENTS under 200k spoofed addresses, and still locks out a guesser', () => {
    const limiter = new FailedAuthLimiter();
    const start = 1_700_000_000_000;
    for (let i = 0; i < 200_000; i++)
      limiter.fail(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, start + i);
    expect(limiter.size).toBe(MAX_TRACKED_CLIENTS);
    const now = start + 200_000;
    for (let i = 0; i < 10; i++) limiter.fail('198.51.100.9', now);
    expect(limiter.blockedFor('198.51.100.9', now)).toBeGreaterThan(0);
    expect(limiter.blockedFor('198.51.100.10', now)).toBe(0);
    // The window ends: the entries expire as later requests arrive.
    limiter.fail('198.51.100.11', now + 15 * 60_000 + 1);
    expect(limiter.size).toBe(1);
  });

  it('counts every address of one IPv6 /64 as one client, for lockout and rate limit', () => {
    const limiter = new FailedAuthLimiter();
    const rate = new RateLimiter(1, 10);
    for (let i = 0; i < 1000; i++) {
      limiter.fail(`2001:db8:5:6:${i.toString(16)}::1`, 0);
      rate.take(`2001:db8:5:6::${i.toString(16)}`, 0);
    }
    expect(limiter.size).toBe(1);
    expect(rate.size).toBe(1);
    expect(limiter.blockedFor('2001:db8:5:6:ffff:ffff:ffff:ffff', 0)).toBeGreaterThan(0);
    expect(rate.take('2001:db8:5:6::abcd', 0)).toBeGreaterThan(0);
  });

  it('keeps the rate map bounded under 200k distinct addresses', () => {
    const rate = new RateLimiter(20, 100);
    for (let i = 0; i < 200_000; i++) rate.take(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, i);
    expect(rate.size).toBeLessThanOrEqual(MAX_TRACKED_CLIENTS);
  });
});

/** Opens a socket to the server that sends half a request and then nothing. */
function halfOpen(
  port: number,
  request = 'POST /api/event HTTP/1.1\r\nHost: 127.0.0.1\r\n',
): Promise<Socket> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.write(request);
      resolve(socket);
    });
    socket.on('error', () => undefined);
    // Read (and drop) what the server sends, so its close is seen.
    socket.resume();
    // A socket the server refused at once also counts as "opened" for the attacker.
    socket.on('close', () => resolve(socket));
  });
}

function closed(socket: Socket): Promise<number> {
  const started = performance.now();
  if (socket.closed) return Promise.resolve(0);
  return new Promise((resolve) => socket.on('close', () => resolve(performance.now() - started)));
}

async function openFds(pid: number): Promise<number> {
  return (await readdir(`/proc/${pid}/fd`)).length;
}

/**
 * GET /healthz over a fresh connection (fetch would reuse a kept-alive one, which says nothing
 * about new clients): the status, or 0 when the connection was refused, closed or timed out.
 */
function healthz(port: number): Promise<number> {
  return new Promise((resolve) => {
    let text = '';
    const socket = connect({ host: '127.0.0.1', port }, () =>
      socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'),
    );
    const timer = setTimeout(() => socket.destroy(), 2000);
    socket.on('data', (d) => (text += d));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0));
    });
  });
}

describe('slow clients (slowloris)', () => {
  let server: RunningServer;
  let port: number;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    const dir = await tempDir();
    cleanup = dir.cleanup;
    server = await startServer({
      ANALYTICS_DATA_DIR: dir.dir,
      ANALYTICS_HEADERS_TIMEOUT_MS: '1000',
      ANALYTICS_REQUEST_TIMEOUT_MS: '2000',
      ANALYTICS_MAX_CONNECTIONS: '20',
    });
    port = Number(new URL(server.url).port);
  });
  afterAll(async () => {
    await server.stop('SIGKILL');
    await cleanup();
  });

  it('reports the connection cap and the open-file limit at start', () => {
    expect(server.output()).toMatch(
      /Connections: at most 20 \(ANALYTICS_MAX_CONNECTIONS=20, open-file limit \d+\)/,
    );
  });

  it('closes a socket that never finishes its headers within the header deadline', async () => {
    const socket = await halfOpen(port);
    // 1 s deadline, checked every 250 ms; the bound is generous for a shared machine.
    expect(await closed(socket)).toBeLessThan(5000);
  });

  it('closes a socket that drips its body within the request deadline', async () => {
    const socket = await halfOpen(
      port,
      'POST /api/event HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: 500\r\n\r\n{',
    );
    const drip = setInterval(() => socket.writable && socket.write(' '), 200);
    try {
      expect(await closed(socket)).toBeLessThan(7000);
    } finally {
      clearInterval(drip);
    }
  });

  it('survives 40 half-open sockets at a cap of 20: descriptors stay bounded and service resumes once they time out', async () => {
    const pid = server.child.pid!;
    expect(await healthz(port)).toBe(200);
    const before = await openFds(pid);
    const sockets = await Promise.all(Array.from({ length: 40 }, () => halfOpen(port)));
    try {
      const during = await openFds(pid);
      expect(during - before).toBeLessThanOrEqual(20 + 2);
      // While the cap is full a new connection is closed at once: the refusal is early and cheap.
      expect(await healthz(port)).toBe(0);
      // The slow sockets hit the 1 s header deadline, and then the collector answers again.
      const deadline = performance.now() + 10_000;
      let status = 0;
      while (status !== 200 && performance.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        status = await healthz(port);
      }
      expect(status).toBe(200);
      expect(server.child.exitCode).toBeNull();
    } finally {
      for (const socket of sockets) socket.destroy();
    }
  });
});

describe('slow clients under a low open-file limit', () => {
  it('derives the connection cap from ulimit -n, so half-open sockets never starve the store of descriptors', async () => {
    const dir = await tempDir();
    // 150 descriptors: half stay reserved for files, so the default cap of 1000 becomes 75.
    const server = await startServer(
      { ANALYTICS_DATA_DIR: dir.dir, ANALYTICS_HEADERS_TIMEOUT_MS: '1000', ANALYTICS_RATE_LIMIT: '0' },
      { prefix: ['prlimit', '--nofile=150:150'] },
    );
    try {
      expect(server.output()).toContain(
        'Connections: at most 75 (ANALYTICS_MAX_CONNECTIONS=1000, open-file limit 150)',
      );
      const port = Number(new URL(server.url).port);
      const pid = server.child.pid!;
      const before = await openFds(pid);
      const sockets = await Promise.all(Array.from({ length: 95 }, () => halfOpen(port)));
      const during = await openFds(pid);
      expect(during - before).toBeLessThanOrEqual(75 + 2);
      for (const socket of sockets) socket.destroy();
      // Every event after the flood is stored: no EMFILE on the day file.
      let status = 0;
      const deadline = performance.now() + 10_000;
      while (status !== 202 && performance.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        status = await fetch(`${server.url}/api/event`, {
          method: 'POST',
          headers: { 'content-type': 'text/plain', 'user-agent': CHROME_UA },
          body: PAGE,
        })
          .then((r) => r.status)
          .catch(() => 0);
      }
      expect(status).toBe(202);
      expect(server.output()).not.toContain('EMFILE');
    } finally {
      await server.stop('SIGKILL');
      await dir.cleanup();
    }
  });
});
