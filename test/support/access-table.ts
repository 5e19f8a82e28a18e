import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Collector } from '../../server/collector.ts';
import { ROUTES, accessFor, type RouteAccess } from '../../collector/route-access.ts';
import type { Permission } from '../../collector/access/roles.ts';

const ADMIN = 'admin-token-0123456789abcdef';
const WRITE = 'write-key-0123456789abcdef';
const WRONG = 'guess-0123456789abcdef0000';
const PASSWORD = 'a long enough password';
const A = 'a.example';
const B = 'b.example';

/**
 * The permission table of docs/access.md, written out again by hand (not computed from roles.ts):
 * what each credential may do on every site, and on site A only.
 */
type Credential =
  | 'none'
  | 'wrong token'
  | 'write key'
  | 'admin token'
  | 'token session'
  | 'owner account'
  | 'admin of A'
  | 'viewer of A'
  | 'viewer of all'
  | 'read key of A'
  | 'track key of A'
  | 'link to A'
  | 'link to A with users';
const EVERYTHING: Permission[] = ['read', 'read-users', 'track', 'erase', 'manage-site', 'manage-users'];
const CAN: Record<Credential, { everywhere: Permission[]; onA: Permission[] }> = {
  none: { everywhere: [], onA: [] },
  'wrong token': { everywhere: [], onA: [] },
  'write key': { everywhere: ['track'], onA: [] },
  'admin token': { everywhere: EVERYTHING, onA: [] },
  'token session': { everywhere: EVERYTHING, onA: [] },
  'owner account': { everywhere: EVERYTHING, onA: [] },
  'admin of A': { everywhere: [], onA: ['read', 'read-users', 'track', 'erase', 'manage-site'] },
  'viewer of A': { everywhere: [], onA: ['read', 'read-users'] },
  'viewer of all': { everywhere: ['read', 'read-users'], onA: [] },
  'read key of A': { everywhere: [], onA: ['read', 'read-users'] },
  'track key of A': { everywhere: [], onA: ['track'] },
  'link to A': { everywhere: [], onA: ['read'] },
  'link to A with users': { everywhere: [], onA: ['read', 'read-users'] },
};

/** How a credential is sent: a Bearer value, or a session cookie with its CSRF token. */
type Sent = { bearer: string } | { cookie: string; csrf: string } | null;
const sent = {} as Record<Credential, Sent>;

let collector: Collector;
let cleanup: () => Promise<void>;
let nextIp = 0;

/** Each request from its own address, so the wrong-token cases never add up to a lockout. */
function send(method: string, url: string, who: Sent, body?: unknown): Promise<Response> {
  nextIp += 1;
  const auth: Record<string, string> =
    who === null
      ? {}
      : 'bearer' in who
        ? { authorization: `Bearer ${who.bearer}` }
        : { cookie: who.cookie, 'x-csrf-token': who.csrf };
  return Promise.resolve(
    collector.app.request(url, {
      method,
      headers: {
        'x-forwarded-for': `10.0.${nextIp >> 8}.${nextIp & 255}`,
        ...auth,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    }),
  );
}

const asAdmin = (method: string, url: string, body?: unknown) => send(method, url, { bearer: ADMIN }, body);

async function session(url: string, body: unknown): Promise<Sent> {
  const res = await send('POST', url, null, body);
  expect(res.status).toBe(200);
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  return { cookie, csrf: ((await res.json()) as { csrf: string }).csrf };
}

async function account(name: string, roles: Record<string, string>): Promise<Sent> {
  expect((await asAdmin('POST', '/api/admin/users', { name, password: PASSWORD, roles })).status).toBe(201);
  return session('/api/auth/login', { username: name, password: PASSWORD });
}

async function apiKey(site: string, scopes: string[]): Promise<{ id: string; key: string }> {
  const res = await asAdmin('POST', '/api/admin/keys', { site, scopes, name: 'test' });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; key: string };
}

async function link(site: string, showUsers = false): Promise<string> {
  const res = await asAdmin('POST', '/api/admin/links', { site, show_users: showUsers });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

/** The sites a case asks about: A, B, or none (every site). */
type SiteCase = 'A' | 'B' | 'none';
const SITE: Record<SiteCase, string | undefined> = { A, B, none: undefined };

let unique = 0;
const STEPS = encodeURIComponent(
  JSON.stringify([
    { type: 'page', value: '*' },
    { type: 'action', value: 'signup' },
  ]),
);
/**
 * A valid request for every route and site, and what it answers when allowed. Requests that
 * remove something get a fresh thing to remove.
 */
const SAMPLES: Record<
  string,
  (
    site: string | undefined,
  ) => Promise<{ url: string; body?: unknown; ok: number }> | { url: string; body?: unknown; ok: number }
> = {
  'GET /api/analytics/overall': (s) => ({ url: `/api/analytics/overall?days=7${q(s)}`, ok: 200 }),
  'GET /api/analytics/users': (s) => ({ url: `/api/analytics/users?days=7${q(s)}`, ok: 200 }),
  'GET /api/analytics/user/:user_id': (s) => ({ url: `/api/analytics/user/nobody?days=7${q(s)}`, ok: 404 }),
  'GET /api/analytics/user/:user_id/export': () => ({ url: '/api/analytics/user/nobody/export', ok: 200 }),
  'DELETE /api/analytics/user/:user_id': () => ({ url: '/api/analytics/user/nobody', ok: 200 }),
  'GET /api/analytics/realtime': (s) => ({ url: `/api/analytics/realtime?${q(s)}`, ok: 200 }),
  'POST /api/analytics/query': (site) => ({
    url: '/api/analytics/query',
    body: { site, metrics: ['pageviews'], dimensions: ['page'], date_range: '7d' },
    ok: 200,
  }),
  'GET /api/analytics/funnel': (s) => ({
    url: `/api/analytics/funnel?date_range=7d&steps=${STEPS}${q(s)}`,
    ok: 200,
  }),
  'POST /api/analytics/funnel': (site) => ({
    url: '/api/analytics/funnel',
    body: { site, date_range: '7d', steps: JSON.parse(decodeURIComponent(STEPS)) as unknown },
    ok: 200,
  }),
  'GET /api/analytics/retention': (s) => ({ url: `/api/analytics/retention?date_range=30d${q(s)}`, ok: 200 }),
  'GET /api/analytics/journeys': (s) => ({ url: `/api/analytics/journeys?date_range=7d${q(s)}`, ok: 200 }),
  'GET /api/analytics/virality': (s) => ({ url: `/api/analytics/virality?days=7${q(s)}`, ok: 200 }),
  'GET /api/analytics/sites': () => ({ url: '/api/analytics/sites', ok: 200 }),
  // Two sites hold data, so a call naming none is the caller's 400 (track-site.ts) once allowed.
  'POST /api/analytics/track': (site) => ({
    url: '/api/analytics/track',
    body: { site, user_id: 'alice', action: 'purchase', data: { amount: 9 } },
    ok: site ? 202 : 400,
  }),
  'POST /api/analytics/track-share': (site) => ({
    url: '/api/analytics/track-share',
    body: { site, user_id: 'alice', platform: 'email', recipient_count: 2 },
    ok: site ? 202 : 400,
  }),
  'GET /api/admin/users': () => ({ url: '/api/admin/users', ok: 200 }),
  'POST /api/admin/users': () => ({
    url: '/api/admin/users',
    body: { name: `new${++unique}`, password: PASSWORD, roles: { [A]: 'viewer' } },
    ok: 201,
  }),
  'PATCH /api/admin/users/:name': () => ({
    url: '/api/admin/users/vera',
    body: { roles: { [A]: 'viewer' } },
    ok: 200,
  }),
  'DELETE /api/admin/users/:name': () => ({ url: '/api/admin/users/nobody', ok: 404 }),
  'GET /api/admin/keys': (s) => ({ url: `/api/admin/keys?${q(s)}`, ok: 200 }),
  'POST /api/admin/keys': (site) => ({
    url: '/api/admin/keys',
    body: { site, scopes: ['read'], name: 'k' },
    ok: site ? 201 : 400,
  }),
  'DELETE /api/admin/keys/:id': async (site) => ({
    url: `/api/admin/keys/${(await apiKey(site!, ['read'])).id}`,
    ok: 200,
  }),
  'GET /api/admin/links': (s) => ({ url: `/api/admin/links?${q(s)}`, ok: 200 }),
  'POST /api/admin/links': (site) => ({ url: '/api/admin/links', body: { site }, ok: site ? 201 : 400 }),
  'DELETE /api/admin/links/:id': async (site) => ({ url: `/api/admin/links/${await link(site!)}`, ok: 200 }),
  'GET /api/analytics/goals': (s) => ({ url: `/api/analytics/goals?days=7${q(s)}`, ok: 200 }),
  'POST /api/analytics/goals': (site) => ({
    url: '/api/analytics/goals',
    body: goalBody(site),
    ok: site ? 201 : 400,
  }),
  'PUT /api/analytics/goals/:id': async (site) => ({
    url: `/api/analytics/goals/${await saved('goals', goalBody(site))}`,
    body: goalBody(site),
    ok: 200,
  }),
  'DELETE /api/analytics/goals/:id': async (site) => ({
    url: `/api/analytics/goals/${await saved('goals', goalBody(site))}`,
    ok: 200,
  }),
  'GET /api/analytics/cards': (s) => ({ url: `/api/analytics/cards?${q(s)}`, ok: 200 }),
  'PUT /api/analytics/cards': (s) => ({ url: `/api/analytics/cards?${q(s)}`, body: CARDS, ok: 200 }),
  'DELETE /api/analytics/cards': async (s) => {
    expect((await asAdmin('PUT', `/api/analytics/cards?${q(s)}`, CARDS)).status).toBe(200);
    return { url: `/api/analytics/cards?${q(s)}`, ok: 200 };
  },
  'GET /api/analytics/annotations': (s) => ({ url: `/api/analytics/annotations?${q(s)}`, ok: 200 }),
  'POST /api/analytics/annotations': (site) => ({
    url: '/api/analytics/annotations',
    body: noteBody(site),
    ok: site ? 201 : 400,
  }),
  'DELETE /api/analytics/annotations/:id': async (site) => ({
    url: `/api/analytics/annotations/${await saved('annotations', noteBody(site))}`,
    ok: 200,
  }),
  'GET /api/analytics/properties': (s) => ({
    url: `/api/analytics/properties?action=signup${q(s)}`,
    ok: 200,
  }),
  'GET /api/analytics/funnels': (s) => ({ url: `/api/analytics/funnels?${q(s)}`, ok: 200 }),
  'POST /api/analytics/funnels': (site) => ({
    url: '/api/analytics/funnels',
    body: funnelBody(site),
    ok: site ? 201 : 400,
  }),
  'PUT /api/analytics/funnels/:id': async (site) => ({
    url: `/api/analytics/funnels/${await saved('funnels', funnelBody(site))}`,
    body: funnelBody(site),
    ok: 200,
  }),
  'DELETE /api/analytics/funnels/:id': async (site) => ({
    url: `/api/analytics/funnels/${await saved('funnels', funnelBody(site))}`,
    ok: 204,
  }),
  'GET /api/analytics/segments': (s) => ({ url: `/api/analytics/segments?${q(s)}`, ok: 200 }),
  'POST /api/analytics/segments': (site) => ({
    url: '/api/analytics/segments',
    body: segmentBody(site),
    ok: site ? 201 : 400,
  }),
  // Shared by the admin token: its site's admins (and owners) may change it, its viewers only read it.
  'PUT /api/analytics/segments/:id': async (site) => ({
    url: `/api/analytics/segments/${await saved('segments', segmentBody(site))}`,
    body: segmentBody(site),
    ok: 200,
  }),
  'DELETE /api/analytics/segments/:id': async (site) => ({
    url: `/api/analytics/segments/${await saved('segments', segmentBody(site))}`,
    ok: 204,
  }),
};

const funnelBody = (site: string | undefined) => ({
  site,
  name: `Signup ${++unique}`,
  steps: [
    { type: 'page', value: '*' },
    { type: 'action', value: 'signup' },
  ],
});
const segmentBody = (site: string | undefined) => ({
  site,
  name: `Germany ${++unique}`,
  filters: [['is', 'country', ['DE']]],
  shared: true,
});

const CARDS = { cards: [{ id: 'buys', label: 'Purchases', kind: 'count', event: 'purchase' }] };
const goalBody = (site: string | undefined) => ({
  site,
  name: `Pricing ${++unique}`,
  type: 'page',
  page: '/pricing',
});
const noteBody = (site: string | undefined) => ({ site, date: '2026-11-27', text: `Launch ${++unique}` });

/** Saves a settings document as the admin token and returns its id, for a route that changes one. */
async function saved(kind: 'goals' | 'annotations' | 'funnels' | 'segments', body: unknown): Promise<string> {
  const res = await asAdmin('POST', `/api/analytics/${kind}`, body);
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

function q(site: string | undefined): string {
  return site ? `&site=${site}` : '';
}

/** The site cases a route's row can be asked about. */
function siteCases(route: RouteAccess): SiteCase[] {
  if (route.site === 'request') return ['A', 'B', 'none'];
  if (route.site === 'api-key' || route.site === 'link' || route.site === 'setting') return ['A', 'B'];
  return ['none'];
}

/** Links and API keys read segments but never save them (saved-analysis.ts), whatever they may read. */
const SAVES_NO_SEGMENTS = new Set<Credential>([
  'read key of A',
  'track key of A',
  'link to A',
  'link to A with users',
]);

function allowed(credential: Credential, need: Permission, site: SiteCase, route: RouteAccess): boolean {
  const can = CAN[credential];
  if (
    route.path.startsWith('/api/analytics/segments') &&
    route.method !== 'GET' &&
    SAVES_NO_SEGMENTS.has(credential)
  )
    return false;
  // The route asks to read the site (anyone keeps their own segments); the samples are shared
  // segments of another owner, which only an admin of their site may change (saved-docs.ts).
  if (route.path === '/api/analytics/segments/:id') need = 'manage-site';
  if (can.everywhere.includes(need)) return true;
  if (route.site === 'any') return can.onA.includes(need);
  if (route.site === 'all') return false;
  return site === 'A' && can.onA.includes(need);
}

const CASES = ROUTES.flatMap((route) =>
  siteCases(route).flatMap((site) =>
    (Object.keys(CAN) as Credential[]).map((credential) => ({
      name: `${route.method} ${route.path}`,
      route,
      site,
      credential,
      expected:
        credential === 'none' || credential === 'wrong token'
          ? 401
          : allowed(credential, route.need, site, route)
            ? ('ok' as const)
            : 403,
    })),
  ),
);

/**
 * The route × credential × site table, against a collector from `start` (the JSON store in the
 * unit test, ClickHouse in the e2e one): every /api/analytics and /api/admin route for every kind
 * of credential, each answer compared with the hand-written permission table above.
 */
export function accessTable(
  start: (env: Record<string, string>) => Promise<{ collector: Collector; cleanup: () => Promise<void> }>,
): void {
  beforeAll(async () => {
    const t = await start({ ANALYTICS_ADMIN_TOKEN: ADMIN, ANALYTICS_WRITE_KEY: WRITE });
    collector = t.collector;
    cleanup = t.cleanup;
    await collector.queryReady;
    for (const site of [A, B])
      await asAdmin('POST', '/api/analytics/track', { site, user_id: 'alice', action: 'signup' });
    sent.none = null;
    sent['wrong token'] = { bearer: WRONG };
    sent['write key'] = { bearer: WRITE };
    sent['admin token'] = { bearer: ADMIN };
    sent['token session'] = await session('/api/auth/token', { token: ADMIN });
    sent['owner account'] = await account('olivia', { '*': 'owner' });
    sent['admin of A'] = await account('adam', { [A]: 'admin' });
    sent['viewer of A'] = await account('vera', { [A]: 'viewer' });
    sent['viewer of all'] = await account('walt', { '*': 'viewer' });
    sent['read key of A'] = { bearer: (await apiKey(A, ['read'])).key };
    sent['track key of A'] = { bearer: (await apiKey(A, ['track'])).key };
    sent['link to A'] = await session('/api/auth/link', { id: await link(A) });
    sent['link to A with users'] = await session('/api/auth/link', { id: await link(A, true) });
  });
  afterAll(() => cleanup());

  describe('who may call each route, on which site', () => {
    it('has a row for every /api/analytics and /api/admin route the app serves, and a sample for every row', () => {
      const served = collector.app.routes
        .filter((r) => /^\/api\/(analytics|admin)\//.test(r.path) && r.method !== 'ALL')
        .map((r) => `${r.method} ${r.path}`);
      const table = ROUTES.map((r) => `${r.method} ${r.path}`);
      expect(new Set(served)).toEqual(new Set(table));
      expect(Object.keys(SAMPLES).sort()).toEqual([...table].sort());
    });

    it.each(CASES)('$name on site $site with $credential → $expected', async (c) => {
      const sample = await SAMPLES[c.name]!(SITE[c.site]);
      const res = await send(c.route.method, sample.url, sent[c.credential], sample.body);
      const body = await res.text();
      expect(res.status, body).toBe(c.expected === 'ok' ? sample.ok : c.expected);
      if (c.expected === 401) expect(res.headers.get('www-authenticate')).toContain('Bearer');
    });

    it.each([
      ['POST', '/api/analytics/nope'],
      ['POST', '/api/analytics/track/'],
      ['POST', '/api/analytics'],
      ['PUT', '/api/analytics/track'],
      ['GET', '/api/analytics/track'],
      ['DELETE', '/api/analytics/track'],
      ['GET', '/api/admin/nope'],
    ])(
      'refuses the write key and an admin of a site on %s %s, which is no route of theirs',
      async (method, url) => {
        const body = method === 'GET' ? undefined : { site: A, user_id: 'a', action: 'x' };
        expect((await send(method, url, sent['write key'], body)).status).toBe(403);
        expect((await send(method, url, sent['admin of A'], body)).status).toBe(403);
        expect(accessFor(method, url)).toBe('manage-users');
        // The owner gets past the guard to the app's 404.
        expect((await send(method, url, sent['admin token'], body)).status).toBe(404);
      },
    );

    it('lists only the sites the requester may read', async () => {
      const sites = async (who: Credential) =>
        ((await (await send('GET', '/api/analytics/sites', sent[who])).json()) as { sites: string[] }).sites;
      expect((await sites('admin token')).sort()).toEqual([A, B]);
      expect(await sites('viewer of A')).toEqual([A]);
      expect(await sites('link to A')).toEqual([A]);
      expect(await sites('admin of A')).toEqual([A]);
      expect((await send('GET', '/api/analytics/sites', sent['track key of A'])).status).toBe(403);
    });
  });
}
