import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Collector } from '../../../server/collector.ts';
import { fixedClock, testCollector } from '../../support/helpers.ts';

const ADMIN = 'admin-token-0123456789abcdef';
const WRITE = 'write-key-0123456789abcdef';
const A = 'a.example';
const B = 'b.example';
const T0 = Date.now();

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function setup() {
  const clock = fixedClock(T0);
  const t = await testCollector({ ANALYTICS_ADMIN_TOKEN: ADMIN, ANALYTICS_WRITE_KEY: WRITE }, clock);
  cleanups.push(t.cleanup);
  await t.collector.queryReady;
  // alice, an identified user, on both sites
  for (const site of [A, B])
    expect(
      (
        await call(t.collector, '/api/analytics/track', bearer(ADMIN), {
          site,
          user_id: 'alice',
          action: 'signup',
        })
      ).status,
    ).toBe(202);
  return { ...t, clock };
}

let ip = 0;
function call(
  collector: Collector,
  url: string,
  headers: Record<string, string> = {},
  body?: unknown,
  method?: string,
) {
  ip += 1;
  return Promise.resolve(
    collector.app.request(url, {
      method: method ?? (body === undefined ? 'GET' : 'POST'),
      headers: {
        'x-forwarded-for': `192.0.2.${ip % 250}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  );
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function createLink(collector: Collector, body: Record<string, unknown>): Promise<string> {
  const res = await call(collector, '/api/admin/links', bearer(ADMIN), body);
  expect(res.status).toBe(201);
  const { id, url } = (await res.json()) as { id: string; url: string };
  expect(id).toMatch(/^[A-Za-z0-9][A-Za-z0-9_-]{22}$/);
  expect(url).toBe(`/share/${id}`);
  return id;
}

async function openLink(collector: Collector, id: string, password?: string) {
  const res = await call(collector, '/api/auth/link', {}, { id, password });
  const answer = (await res.json()) as Record<string, unknown>;
  const cookie = res.headers.get('set-cookie')?.split(';')[0] ?? '';
  return { status: res.status, answer, headers: { cookie, 'x-csrf-token': String(answer.csrf) } };
}

describe('public links', () => {
  it('read their own site and nothing else: no other site, no admin route, no user pages', async () => {
    const { collector } = await setup();
    const id = await createLink(collector, { site: A });
    const link = await openLink(collector, id);
    expect(link.status).toBe(200);
    expect(link.answer).toMatchObject({ kind: 'link', site: A, show_users: false, roles: { [A]: 'viewer' } });
    const status = (url: string, body?: unknown, method?: string) =>
      call(collector, url, link.headers, body, method).then((r) => r.status);
    expect(await status(`/api/analytics/overall?site=${A}`)).toBe(200);
    expect(await status(`/api/analytics/overall?site=${B}`)).toBe(403);
    expect(await status('/api/analytics/overall')).toBe(403);
    expect(await status('/api/analytics/overall?site=constructor')).toBe(403);
    expect(await status('/api/analytics/query', { site: '__proto__', metrics: ['pageviews'] })).toBe(403);
    expect(await status('/api/analytics/query', { site: 7, metrics: ['pageviews'] })).toBe(403);
    expect(await status(`/api/analytics/overall?site=${A.toUpperCase()}`)).toBe(200);
    // The body's site is what the query runs on: naming A in the URL does not open B.
    const query = { metrics: ['pageviews'], dimensions: ['page'], date_range: '7d' };
    expect(await status('/api/analytics/query', { ...query, site: A })).toBe(200);
    expect(await status(`/api/analytics/query?site=${A}`, { ...query, site: B })).toBe(403);
    // Identified users, in every form.
    expect(await status(`/api/analytics/users?site=${A}`)).toBe(403);
    expect(await status(`/api/analytics/user/alice?site=${A}`)).toBe(403);
    expect(await status('/api/analytics/user/alice/export')).toBe(403);
    expect(await status('/api/analytics/user/alice', undefined, 'DELETE')).toBe(403);
    expect(await status('/api/analytics/query', { ...query, site: A, dimensions: ['user'] })).toBe(403);
    const byUser = { ...query, site: A, filters: [['not', ['is', 'user', ['alice']]]] };
    expect(await status('/api/analytics/query', byUser)).toBe(403);
    const filters = encodeURIComponent(JSON.stringify([['is', 'user', ['alice']]]));
    expect(await status(`/api/analytics/overall?site=${A}&filters=${filters}`)).toBe(403);
    // Realtime shows the events, not who did them.
    const live = (await (
      await call(collector, `/api/analytics/realtime?site=${A}`, link.headers)
    ).json()) as {
      events: { user: string; name: string }[];
    };
    expect(live.events.map((e) => [e.name, e.user])).toEqual([['signup', '']]);
    // Admin routes.
    expect(await status(`/api/admin/links?site=${A}`)).toBe(403);
    expect(await status(`/api/admin/keys?site=${A}`)).toBe(403);
    expect(await status('/api/admin/users')).toBe(403);
    expect(await status('/api/admin/links', { site: A })).toBe(403);
    expect(await status('/api/analytics/track', { site: A, action: 'x' })).toBe(403);
  });

  it('with show_users: the users table and user pages of its site, still not another site’s', async () => {
    const { collector } = await setup();
    const link = await openLink(collector, await createLink(collector, { site: A, show_users: true }));
    expect(link.answer).toMatchObject({ kind: 'link', site: A, show_users: true });
    const users = await call(collector, `/api/analytics/users?site=${A}&days=7`, link.headers);
    expect(users.status).toBe(200);
    expect(((await users.json()) as { users: { user_id: string }[] }).users.map((u) => u.user_id)).toEqual([
      'alice',
    ]);
    expect((await call(collector, `/api/analytics/users?site=${B}`, link.headers)).status).toBe(403);
    const live = (await (
      await call(collector, `/api/analytics/realtime?site=${A}`, link.headers)
    ).json()) as {
      events: { user: string }[];
    };
    expect(live.events.map((e) => e.user)).toEqual(['alice']);
  });

  it('asks for the password when it has one, and refuses an expired or revoked link at once', async () => {
    const { collector, clock } = await setup();
    const guarded = await createLink(collector, { site: A, password: 'link password 123' });
    expect(await openLink(collector, guarded)).toMatchObject({
      status: 401,
      answer: { password_required: true },
    });
    expect((await openLink(collector, guarded, 'wrong password')).status).toBe(401);
    expect((await openLink(collector, guarded, 'link password 123')).status).toBe(200);

    const expiring = await createLink(collector, {
      site: A,
      expires: new Date(T0 + 60 * 60 * 1000).toISOString(),
    });
    const opened = await openLink(collector, expiring);
    expect(opened.status).toBe(200);
    const read = () =>
      call(collector, `/api/analytics/overall?site=${A}`, opened.headers).then((r) => r.status);
    expect(await read()).toBe(200);
    clock.advance(60 * 60 * 1000);
    expect(await read()).toBe(401);
    expect((await openLink(collector, expiring)).status).toBe(401);

    const revokedId = await createLink(collector, { site: A });
    const revoked = await openLink(collector, revokedId);
    const readRevoked = () =>
      call(collector, `/api/analytics/overall?site=${A}`, revoked.headers).then((r) => r.status);
    expect(await readRevoked()).toBe(200);
    expect(
      (await call(collector, `/api/admin/links/${revokedId}`, bearer(ADMIN), undefined, 'DELETE')).status,
    ).toBe(200);
    expect(await readRevoked()).toBe(401);
    expect((await openLink(collector, 'A'.repeat(23))).status).toBe(401);
  });

  it('name their link in /api/auth/me, so a reload keeps a password link open until it expires or is revoked', async () => {
    const { collector, clock } = await setup();
    const me = (headers: Record<string, string>) =>
      call(collector, '/api/auth/me', { cookie: headers.cookie! }).then(async (r) => ({
        status: r.status,
        answer: (await r.json()) as Record<string, unknown>,
      }));
    const expires = T0 + 2 * 24 * 60 * 60 * 1000;
    const id = await createLink(collector, {
      site: A,
      password: 'link password 123',
      expires: new Date(expires).toISOString(),
    });
    const opened = await openLink(collector, id, 'link password 123');
    expect(opened.answer).toMatchObject({ kind: 'link', link: id, site: A });
    // The page's reload: the cookie alone, no password, answers the same link.
    expect(await me(opened.headers)).toMatchObject({
      status: 200,
      answer: { kind: 'link', link: id, site: A, csrf: opened.answer.csrf },
    });
    clock.advance(expires - T0 - 1000);
    expect(await me(opened.headers)).toMatchObject({ status: 200, answer: { link: id } });
    clock.advance(1000);
    expect((await me(opened.headers)).status).toBe(401);

    const other = await createLink(collector, { site: A, password: 'link password 456' });
    const again = await openLink(collector, other, 'link password 456');
    expect((await me(again.headers)).answer).toMatchObject({ link: other });
    expect(
      (await call(collector, `/api/admin/links/${other}`, bearer(ADMIN), undefined, 'DELETE')).status,
    ).toBe(200);
    expect((await me(again.headers)).status).toBe(401);
  });

  it('cannot be created for a past date, and are listed per site for an admin of that site', async () => {
    const { collector } = await setup();
    const past = await call(collector, '/api/admin/links', bearer(ADMIN), { site: A, expires: '2020-01-01' });
    expect(past.status).toBe(400);
    await createLink(collector, { site: A });
    await createLink(collector, { site: B });
    const listed = (await (await call(collector, `/api/admin/links?site=${A}`, bearer(ADMIN))).json()) as {
      links: { site: string; show_users: boolean; has_password: boolean }[];
    };
    expect(listed.links).toEqual([
      expect.objectContaining({ site: A, show_users: false, has_password: false }),
    ]);
  });

  it('/share/<id> serves the dashboard page itself', async () => {
    const { collector } = await setup();
    const id = await createLink(collector, { site: A });
    const share = await call(collector, `/share/${id}`);
    const admin = await call(collector, '/admin/analytics');
    expect(share.status).toBe(admin.status);
    expect(await share.text()).toBe(await admin.text());
    expect(share.headers.get('referrer-policy')).toBe('no-referrer');
  });
});

describe('API keys', () => {
  async function key(collector: Collector, site: string, scopes: string[]) {
    const res = await call(collector, '/api/admin/keys', bearer(ADMIN), { site, scopes, name: 'ci' });
    expect(res.status).toBe(201);
    return (await res.json()) as { id: string; key: string };
  }

  it('read: reads its site only, never another site, all sites, tracking or admin routes', async () => {
    const { collector } = await setup();
    const { key: read } = await key(collector, A, ['read']);
    expect(read).toMatch(/^cfa_k_[0-9a-f]{16}[A-Za-z0-9_-]{43}$/);
    const status = (url: string, body?: unknown) =>
      call(collector, url, bearer(read), body).then((r) => r.status);
    expect(await status(`/api/analytics/overall?site=${A}`)).toBe(200);
    expect(await status(`/api/analytics/users?site=${A}`)).toBe(200);
    expect(await status(`/api/analytics/overall?site=${B}`)).toBe(403);
    expect(await status('/api/analytics/overall')).toBe(403);
    expect(await status('/api/analytics/track', { site: A, action: 'x' })).toBe(403);
    expect(await status(`/api/admin/keys?site=${A}`)).toBe(403);
  });

  it('track: tracks on its site only and reads nothing', async () => {
    const { collector } = await setup();
    const { key: track } = await key(collector, A, ['track']);
    const status = (url: string, body?: unknown) =>
      call(collector, url, bearer(track), body).then((r) => r.status);
    expect(await status('/api/analytics/track', { site: A, user_id: 'bob', action: 'buy' })).toBe(202);
    expect(await status(`/api/analytics/track?site=${A}`, { user_id: 'bob', action: 'buy' })).toBe(202);
    expect(await status('/api/analytics/track-share', { site: A, user_id: 'bob', platform: 'email' })).toBe(
      202,
    );
    expect(await status('/api/analytics/track', { site: B, action: 'buy' })).toBe(403);
    expect(await status('/api/analytics/track', { action: 'buy' })).toBe(403);
    expect(await status(`/api/analytics/overall?site=${A}`)).toBe(403);
  });

  it('is shown once, stored only as a hash, notes its last use, and stops at once when revoked', async () => {
    const { collector, dir, clock } = await setup();
    const { id, key: read } = await key(collector, A, ['read']);
    expect((await readFile(join(dir, 'settings.json'), 'utf8')).includes(read.slice(22))).toBe(false);
    const before = (await (await call(collector, `/api/admin/keys?site=${A}`, bearer(ADMIN))).json()) as {
      keys: { id: string; key?: string; last_used: string | null }[];
    };
    expect(before.keys).toEqual([
      expect.objectContaining({ id, scopes: ['read'], name: 'ci', last_used: null }),
    ]);
    expect(before.keys[0]!.key).toBeUndefined();
    clock.advance(5000);
    expect((await call(collector, `/api/analytics/overall?site=${A}`, bearer(read))).status).toBe(200);
    const after = (await (await call(collector, `/api/admin/keys?site=${A}`, bearer(ADMIN))).json()) as {
      keys: { last_used: string | null }[];
    };
    expect(after.keys[0]!.last_used).toBe(new Date(T0 + 5000).toISOString());
    expect((await call(collector, `/api/admin/keys/${id}`, bearer(ADMIN), undefined, 'DELETE')).status).toBe(
      200,
    );
    expect((await call(collector, `/api/analytics/overall?site=${A}`, bearer(read))).status).toBe(401);
    // A forged key with a real id is a wrong token like any other.
    const forged = read.slice(0, 22) + 'x'.repeat(43);
    expect((await call(collector, `/api/analytics/overall?site=${A}`, bearer(forged))).status).toBe(401);
  });

  it('keeps ANALYTICS_WRITE_KEY tracking on every site and refuses it everything else', async () => {
    const { collector } = await setup();
    const status = (url: string, body?: unknown) =>
      call(collector, url, bearer(WRITE), body).then((r) => r.status);
    expect(await status('/api/analytics/track', { site: B, user_id: 'bob', action: 'x' })).toBe(202);
    expect(await status(`/api/analytics/overall?site=${B}`)).toBe(403);
  });

  it('an admin of a site manages that site’s keys and links, not another site’s', async () => {
    const { collector } = await setup();
    const created = await call(collector, '/api/admin/users', bearer(ADMIN), {
      name: 'adam',
      password: 'a long enough password',
      roles: { [A]: 'admin' },
    });
    expect(created.status).toBe(201);
    const login = await call(
      collector,
      '/api/auth/login',
      {},
      { username: 'adam', password: 'a long enough password' },
    );
    const csrf = ((await login.json()) as { csrf: string }).csrf;
    const adam = { cookie: login.headers.get('set-cookie')!.split(';')[0]!, 'x-csrf-token': csrf };
    const other = await key(collector, B, ['read']);
    expect((await call(collector, '/api/admin/keys', adam, { site: A, scopes: ['read'] })).status).toBe(201);
    expect((await call(collector, '/api/admin/keys', adam, { site: B, scopes: ['read'] })).status).toBe(403);
    expect((await call(collector, `/api/admin/keys/${other.id}`, adam, undefined, 'DELETE')).status).toBe(
      403,
    );
    expect((await call(collector, '/api/admin/keys', adam)).status).toBe(403);
    const keys = (await (await call(collector, `/api/admin/keys?site=${A}`, adam)).json()) as {
      keys: unknown[];
    };
    expect(keys.keys).toHaveLength(1);
    expect((await call(collector, '/api/admin/links', adam, { site: A })).status).toBe(201);
  });
});
