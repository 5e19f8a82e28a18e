import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Collector } from '../../../server/collector.ts';
import { loadConfig } from '../../../collector/config.ts';
import { createCollector } from '../../../server/collector.ts';
import { fixedClock, tempDir, testCollector } from '../../support/helpers.ts';

const ADMIN = 'admin-token-0123456789abcdef';
const PASSWORD = 'a long enough password';
const DAY = 24 * 60 * 60 * 1000;
const T0 = Date.parse('2026-12-01T12:00:00Z');

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function setup(env: Record<string, string> = {}) {
  const clock = fixedClock(T0);
  const t = await testCollector({ ANALYTICS_ADMIN_TOKEN: ADMIN, ...env }, clock);
  cleanups.push(t.cleanup);
  return { ...t, clock };
}

interface Call {
  method?: string;
  body?: unknown;
  ip?: string;
  headers?: Record<string, string>;
}

function call(
  collector: Collector,
  url: string,
  { method = 'GET', body, ip = '198.51.100.1', headers = {} }: Call = {},
) {
  return Promise.resolve(
    collector.app.request(url, {
      method,
      headers: {
        'x-forwarded-for': ip,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  );
}

const admin = { authorization: `Bearer ${ADMIN}` };

async function addUser(collector: Collector, name: string, roles: Record<string, string>) {
  const res = await call(collector, '/api/admin/users', {
    method: 'POST',
    headers: admin,
    body: { name, password: PASSWORD, roles },
  });
  expect(res.status).toBe(201);
}

interface Signed {
  cookie: string;
  csrf: string;
  setCookie: string;
  answer: Record<string, unknown>;
}

async function login(
  collector: Collector,
  username: string,
  password = PASSWORD,
  ip?: string,
): Promise<Signed> {
  const res = await call(collector, '/api/auth/login', { method: 'POST', body: { username, password }, ip });
  expect(res.status).toBe(200);
  const setCookie = res.headers.get('set-cookie')!;
  const answer = (await res.json()) as Record<string, unknown>;
  return { cookie: setCookie.split(';')[0]!, csrf: answer.csrf as string, setCookie, answer };
}

const withSession = (s: Signed, csrf = true) => ({
  cookie: s.cookie,
  ...(csrf ? { 'x-csrf-token': s.csrf } : {}),
});

describe('signing in with a password', () => {
  it('answers the account, its roles and a CSRF token, and sets an HttpOnly SameSite=Strict cookie for 30 days', async () => {
    const { collector } = await setup();
    await addUser(collector, 'vera', { 'a.example': 'viewer' });
    const s = await login(collector, 'vera');
    expect(s.answer).toEqual({
      user: { name: 'vera' },
      kind: 'account',
      roles: { 'a.example': 'viewer' },
      csrf: s.csrf,
    });
    expect(s.csrf).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(s.setCookie).toMatch(/^cfa_session=[A-Za-z0-9_-]{43}; /);
    expect(s.setCookie).toContain('HttpOnly');
    expect(s.setCookie).toContain('SameSite=Strict');
    expect(s.setCookie).toContain('Path=/');
    expect(s.setCookie).toContain(`Max-Age=${30 * 86_400}`);
    // Plain HTTP without a proxy saying otherwise: a Secure cookie would never come back.
    expect(s.setCookie).not.toContain('Secure');
    const me = await call(collector, '/api/auth/me', { headers: withSession(s, false) });
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual(s.answer);
  });

  it('marks the cookie Secure when the trusted proxy says the request came over HTTPS, and only then', async () => {
    const { collector } = await setup();
    await addUser(collector, 'vera', { '*': 'viewer' });
    const over = async (headers: Record<string, string>) =>
      (
        await call(collector, '/api/auth/login', {
          method: 'POST',
          body: { username: 'vera', password: PASSWORD },
          headers,
        })
      ).headers.get('set-cookie') ?? '';
    expect(await over({ 'x-forwarded-proto': 'https' })).toContain('Secure');
    expect(await over({ 'x-forwarded-proto': 'http' })).not.toContain('Secure');
    const untrusted = await setup({ ANALYTICS_TRUST_PROXY: '' });
    await addUser(untrusted.collector, 'vera', { '*': 'viewer' });
    const res = await call(untrusted.collector, '/api/auth/login', {
      method: 'POST',
      body: { username: 'vera', password: PASSWORD },
      headers: { 'x-forwarded-proto': 'https' },
    });
    expect(res.headers.get('set-cookie')).not.toContain('Secure');
  });

  it('answers an unknown name and a wrong password alike, and never stores the password', async () => {
    const { collector, dir } = await setup();
    await addUser(collector, 'vera', { '*': 'viewer' });
    const wrong = await call(collector, '/api/auth/login', {
      method: 'POST',
      body: { username: 'vera', password: 'not the password' },
    });
    const unknown = await call(collector, '/api/auth/login', {
      method: 'POST',
      body: { username: 'nobody', password: 'not the password' },
      ip: '198.51.100.2',
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(await wrong.json()).toEqual(await unknown.json());
    expect(wrong.headers.get('set-cookie')).toBeNull();
    const file = await readFile(join(dir, 'settings.json'), 'utf8');
    expect(file).not.toContain(PASSWORD);
    expect(file).toMatch(/"password": "scrypt\$32768\$8\$1\$/);
  });

  it('refuses a short password with a 400 that says the minimum, and a missing field with a 400', async () => {
    const { collector } = await setup();
    const res = await call(collector, '/api/admin/users', {
      method: 'POST',
      headers: admin,
      body: { name: 'vera', password: 'short', roles: { '*': 'viewer' } },
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'password must be at least 10 characters' });
    expect(
      (await call(collector, '/api/auth/login', { method: 'POST', body: { username: 'vera' } })).status,
    ).toBe(400);
    expect((await call(collector, '/api/auth/login', { method: 'POST', body: '{' })).status).toBe(400);
  });

  it('throttles per (account, client) and per client, and never locks the owner out from their own address', async () => {
    const { collector } = await setup();
    await addUser(collector, 'olivia', { '*': 'owner' });
    const attacker = '203.0.113.9';
    const attempt = (username: string, password: string, ip: string) =>
      call(collector, '/api/auth/login', { method: 'POST', body: { username, password }, ip });
    for (let i = 0; i < 10; i++)
      expect((await attempt('olivia', `guess number ${i}`, attacker)).status).toBe(401);
    // The attacker's address is stopped on this account, even with the right password…
    const blocked = await attempt('olivia', PASSWORD, attacker);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    // …while the owner, from their own address, signs in.
    expect((await attempt('olivia', PASSWORD, '198.51.100.7')).status).toBe(200);
    // Many accounts from one address: the per-client limit (30 in 15 minutes) stops it too.
    for (let i = 0; i < 20; i++)
      expect((await attempt(`user${i}`, 'wrong password', attacker)).status).toBe(401);
    expect((await attempt('someone-else', 'wrong password', attacker)).status).toBe(429);
    expect((await attempt('olivia', PASSWORD, '198.51.100.8')).status).toBe(200);
  }, 120_000);
});

describe('sessions', () => {
  it('slide: a session used within its 30 days lasts another 30, an idle one expires', async () => {
    const { collector, clock } = await setup();
    await addUser(collector, 'vera', { '*': 'viewer' });
    const s = await login(collector, 'vera');
    clock.advance(20 * DAY);
    const used = await call(collector, '/api/auth/me', { headers: withSession(s) });
    expect(used.status).toBe(200);
    expect(used.headers.get('set-cookie')).toContain(`Max-Age=${30 * 86_400}`);
    clock.advance(20 * DAY);
    expect((await call(collector, '/api/auth/me', { headers: withSession(s) })).status).toBe(200);
    clock.advance(31 * DAY);
    const expired = await call(collector, '/api/auth/me', { headers: withSession(s) });
    expect(expired.status).toBe(401);
    expect(expired.headers.get('set-cookie')).toContain('Max-Age=0');
  });

  it('sign-out ends this session only; sign-out everywhere ends every session of the account at once', async () => {
    const { collector } = await setup();
    await addUser(collector, 'vera', { '*': 'viewer' });
    const [one, two, three] = [
      await login(collector, 'vera'),
      await login(collector, 'vera'),
      await login(collector, 'vera'),
    ];
    const me = (s: Signed) =>
      call(collector, '/api/auth/me', { headers: withSession(s) }).then((r) => r.status);
    const out = await call(collector, '/api/auth/logout', { method: 'POST', headers: withSession(one) });
    expect(out.status).toBe(200);
    expect(out.headers.get('set-cookie')).toContain('Max-Age=0');
    expect([await me(one), await me(two), await me(three)]).toEqual([401, 200, 200]);
    expect(
      (await call(collector, '/api/auth/logout-all', { method: 'POST', headers: withSession(two) })).status,
    ).toBe(200);
    expect([await me(two), await me(three)]).toEqual([401, 401]);
    // A new sign-in afterwards works.
    expect(await me(await login(collector, 'vera'))).toBe(200);
  });

  it('removing an account, changing its password or its roles counts on the very next request', async () => {
    const { collector } = await setup();
    await addUser(collector, 'vera', { 'a.example': 'viewer' });
    await addUser(collector, 'walt', { 'a.example': 'viewer' });
    const vera = await login(collector, 'vera');
    const walt = await login(collector, 'walt');
    const read = (s: Signed) =>
      call(collector, '/api/analytics/overall?site=a.example', { headers: withSession(s) }).then(
        (r) => r.status,
      );
    expect([await read(vera), await read(walt)]).toEqual([200, 200]);
    const patch = (name: string, body: unknown) =>
      call(collector, `/api/admin/users/${name}`, { method: 'PATCH', headers: admin, body });
    expect((await patch('vera', { roles: { 'b.example': 'viewer' } })).status).toBe(200);
    expect(await read(vera)).toBe(403);
    expect((await patch('walt', { password: 'another long password' })).status).toBe(200);
    expect(await read(walt)).toBe(401);
    const again = await login(collector, 'walt', 'another long password');
    expect(await read(again)).toBe(200);
    expect(
      (await call(collector, '/api/admin/users/walt', { method: 'DELETE', headers: admin })).status,
    ).toBe(200);
    expect(await read(again)).toBe(401);
    // The same name added again does not bring the old sessions back.
    await addUser(collector, 'walt', { 'a.example': 'viewer' });
    expect(await read(again)).toBe(401);
  });

  it('exchanges the admin token for an owner session, which a new admin token ends', async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const start = (token: string) =>
      createCollector({ config: loadConfig({ ANALYTICS_DATA_DIR: dir, ANALYTICS_ADMIN_TOKEN: token }) });
    const collector = await start(ADMIN);
    const wrong = await call(collector, '/api/auth/token', {
      method: 'POST',
      body: { token: 'guess-0123456789abcdef' },
    });
    expect(wrong.status).toBe(401);
    const res = await call(collector, '/api/auth/token', { method: 'POST', body: { token: ADMIN } });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as Record<string, unknown>;
    expect(answer).toMatchObject({ kind: 'token', roles: { '*': 'owner' } });
    const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    expect((await collector.app.request('/api/admin/users', { headers: { cookie } })).status).toBe(200);
    await collector.close();
    // The same data dir under another token: the session was for the old one.
    const next = await start('another-admin-token-0123456789');
    cleanups.unshift(() => next.close());
    expect((await next.app.request('/api/admin/users', { headers: { cookie } })).status).toBe(401);
  });

  it('keeps the Bearer admin token working on every route, with no CSRF token', async () => {
    const { collector } = await setup();
    const res = await call(collector, '/api/admin/keys', {
      method: 'POST',
      headers: admin,
      body: { site: 'a.example', scopes: ['read'], name: 'x' },
    });
    expect(res.status).toBe(201);
    const me = await call(collector, '/api/auth/me', { headers: admin });
    expect(await me.json()).toMatchObject({ kind: 'token', roles: { '*': 'owner' }, csrf: null });
    expect((await call(collector, '/api/auth/me')).status).toBe(401);
  });
});

describe('CSRF', () => {
  it('refuses a cookie POST, PATCH or DELETE without the session’s X-CSRF-Token or from another origin', async () => {
    const { collector } = await setup();
    await addUser(collector, 'olivia', { '*': 'owner' });
    const s = await login(collector, 'olivia');
    const query = { site: 'a.example', metrics: ['pageviews'], dimensions: ['page'], date_range: '7d' };
    const post = (headers: Record<string, string>) =>
      call(collector, '/api/analytics/query', { method: 'POST', body: query, headers }).then((r) => r.status);
    expect(await post({ cookie: s.cookie })).toBe(403);
    expect(await post({ cookie: s.cookie, 'x-csrf-token': 'x'.repeat(32) })).toBe(403);
    expect(await post(withSession(s))).toBe(200);
    expect(await post({ ...withSession(s), origin: 'https://evil.example' })).toBe(403);
    expect(await post({ ...withSession(s), origin: 'null' })).toBe(403);
    expect(await post({ ...withSession(s), 'sec-fetch-site': 'cross-site' })).toBe(403);
    expect(await post({ ...withSession(s), origin: 'http://localhost' })).toBe(200);
    const del = (headers: Record<string, string>) =>
      call(collector, '/api/admin/users/nobody', { method: 'DELETE', headers }).then((r) => r.status);
    expect(await del({ cookie: s.cookie })).toBe(403);
    expect(await del(withSession(s))).toBe(404);
    // Reads need no CSRF token: they change nothing.
    expect((await call(collector, '/api/admin/users', { headers: { cookie: s.cookie } })).status).toBe(200);
  });

  it('refuses a sign-in posted from another site’s page', async () => {
    const { collector } = await setup();
    await addUser(collector, 'vera', { '*': 'viewer' });
    const res = await call(collector, '/api/auth/login', {
      method: 'POST',
      body: { username: 'vera', password: PASSWORD },
      headers: { origin: 'https://evil.example' },
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('set-cookie')).toBeNull();
  });
});
