import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../collector/config.ts';
import { tempDir, testCollector } from '../support/helpers.ts';
import { startServer, type RunningServer } from '../support/server-process.ts';

const TOKEN = 'admin-token-0123456789abcdef';
const WRITE_KEY = 'write-key-0123456789abcdef';
const cleanups: (() => Promise<void>)[] = [];
const running: RunningServer[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop('SIGKILL');
  for (const c of cleanups.splice(0)) await c();
});

async function setup(env: Record<string, string> = {}) {
  const t = await testCollector({ ANALYTICS_ADMIN_TOKEN: TOKEN, ANALYTICS_WRITE_KEY: WRITE_KEY, ...env });
  cleanups.push(t.cleanup);
  return t.collector;
}

function call(
  collector: Awaited<ReturnType<typeof setup>>,
  path: string,
  { method = 'GET', token, ip = '81.2.69.160', headers = {} as Record<string, string> } = {} as {
    method?: string;
    token?: string;
    ip?: string;
    headers?: Record<string, string>;
  },
) {
  return Promise.resolve(
    collector.app.request(path, {
      method,
      headers: {
        'x-forwarded-for': ip,
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        ...headers,
      },
    }),
  );
}

// The read API's routes may not all be mounted in every build, so the guard is checked on the
// paths the product promises as well as on unknown ones: it answers before any route does.
const READ_PATHS = [
  '/api/analytics',
  '/api/analytics/overall?days=30',
  '/api/analytics/users?days=30',
  '/api/analytics/realtime',
  '/api/analytics/user/user123',
  '/api/analytics/user/user123/export',
  '/api/analytics/no-such-route',
];

describe('authentication of the analytics API', () => {
  it.each(READ_PATHS)('refuses %s without the admin token, with a Bearer challenge', async (path) => {
    const collector = await setup();
    const res = await call(collector, path);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('Bearer');
    expect(await res.json()).toEqual({ error: 'sign in, or send the admin token or an API key' });
  });

  it('accepts the admin token, refuses a wrong one without repeating it, and takes no token from the URL', async () => {
    const collector = await setup();
    expect((await call(collector, '/api/analytics/user/u1/export', { token: TOKEN })).status).toBe(200);
    const wrong = await call(collector, '/api/analytics/user/u1/export', { token: 'guess-0123456789abcdef' });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).not.toContain('guess-0123456789abcdef');
    expect((await call(collector, `/api/analytics/user/u1/export?token=${TOKEN}`)).status).toBe(401);
    expect(
      (await call(collector, '/api/analytics/user/u1/export', { headers: { authorization: TOKEN } })).status,
    ).toBe(401);
  });

  // 403, not 401: the key is valid, it just gives no right to read or erase (docs/access.md).
  it('takes the write key on the server-side tracking routes only, never for reads or erasure', async () => {
    const collector = await setup();
    const post = await call(collector, '/api/analytics/track-share', { method: 'POST', token: WRITE_KEY });
    expect(post.status).not.toBe(401);
    expect((await call(collector, '/api/analytics/user/u1/export', { token: WRITE_KEY })).status).toBe(403);
    expect(
      (await call(collector, '/api/analytics/user/u1', { method: 'DELETE', token: WRITE_KEY })).status,
    ).toBe(403);
  });

  it('blocks a client after 10 wrong tokens with 429 and Retry-After, even with the right token, and only that client', async () => {
    const collector = await setup();
    for (let i = 0; i < 10; i++) {
      expect(
        (await call(collector, '/api/analytics/realtime', { token: `wrong-token-${i}-000000` })).status,
      ).toBe(401);
    }
    const blocked = await call(collector, '/api/analytics/user/u1/export', { token: TOKEN });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    const other = await call(collector, '/api/analytics/user/u1/export', { token: TOKEN, ip: '8.8.8.8' });
    expect(other.status).toBe(200);
    // Missing tokens are not guesses: a client that forgot the header is not locked out by it.
    for (let i = 0; i < 20; i++) await call(collector, '/api/analytics/realtime', { ip: '9.9.9.9' });
    expect(
      (await call(collector, '/api/analytics/user/u1/export', { token: TOKEN, ip: '9.9.9.9' })).status,
    ).toBe(200);
  });
});

describe('ANALYTICS_WRITE_KEY', () => {
  it('must be at least 16 characters, and a bad one is not echoed in the error', () => {
    expect(() => loadConfig({ ANALYTICS_WRITE_KEY: 'short-secret' })).toThrow(
      'ANALYTICS_WRITE_KEY must be at least 16 characters without spaces',
    );
    expect(() => loadConfig({ ANALYTICS_WRITE_KEY: 'short-secret' })).not.toThrow(/short-secret/);
    expect(loadConfig({}).writeKey).toBeNull();
  });
});

describe('CORS', () => {
  it('is open on POST /api/event (and its preflight) only; the analytics API and health send no CORS header', async () => {
    const collector = await setup();
    const origin = { origin: 'https://evil.example' };
    const preflight = await call(collector, '/api/event', {
      method: 'OPTIONS',
      headers: { ...origin, 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');

    const checks = [
      await call(collector, '/api/analytics/overall', {
        method: 'OPTIONS',
        headers: {
          ...origin,
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'authorization',
        },
      }),
      await call(collector, '/api/analytics/user/u1/export', { token: TOKEN, headers: origin }),
      await call(collector, '/api/analytics/user/u1', { method: 'DELETE', token: TOKEN, headers: origin }),
      await call(collector, '/api/analytics/realtime', { headers: origin }),
      await call(collector, '/healthz', { headers: origin }),
    ];
    for (const res of checks) {
      const cors = [...res.headers.keys()].filter((k) => k.startsWith('access-control-'));
      expect(cors, `${res.url} ${res.status}`).toEqual([]);
    }
  });
});

describe('tokens in logs', () => {
  it('never prints a token set through the environment, in the banner, request logs or errors', async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const server = await startServer({
      ANALYTICS_DATA_DIR: dir,
      ANALYTICS_ADMIN_TOKEN: TOKEN,
      ANALYTICS_WRITE_KEY: WRITE_KEY,
    });
    running.push(server);
    const guess = 'guessed-token-0123456789';
    for (const [method, path, token] of [
      ['GET', '/api/analytics/user/u1/export', TOKEN],
      ['DELETE', '/api/analytics/user/u1', TOKEN],
      ['GET', '/api/analytics/overall', guess],
      ['POST', '/api/analytics/track-share', WRITE_KEY],
      ['GET', `/api/analytics/user/${encodeURIComponent('\u0000')}/export`, TOKEN],
      ['GET', '/no-such-page', TOKEN],
    ] as const) {
      const res = await fetch(`${server.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}` },
      });
      const body = await res.text();
      for (const secret of [TOKEN, WRITE_KEY, guess]) expect(body).not.toContain(secret);
    }
    expect(await server.stop()).toBe(0);
    const lines = server.output().split('\n');
    expect(lines.filter((l) => l.includes(TOKEN))).toEqual([]);
    expect(server.output()).toMatch(
      /Dashboard: \S+\/admin\/analytics \(token: the value of ANALYTICS_ADMIN_TOKEN\)/,
    );
    expect(server.output()).not.toContain(WRITE_KEY);
    expect(server.output()).not.toContain(guess);
  });
});
