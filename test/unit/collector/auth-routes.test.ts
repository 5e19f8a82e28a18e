import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Collector } from '../../../server/collector.ts';
import { ANALYTICS_ROUTES, accessFor } from '../../../collector/route-access.ts';
import { testCollector } from '../../support/helpers.ts';

const ADMIN = 'admin-token-0123456789abcdef';
const WRITE = 'write-key-0123456789abcdef';
const WRONG = 'guess-0123456789abcdef0000';

let collector: Collector;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  const t = await testCollector({ ANALYTICS_ADMIN_TOKEN: ADMIN, ANALYTICS_WRITE_KEY: WRITE });
  collector = t.collector;
  cleanup = t.cleanup;
  await collector.queryReady;
});
afterAll(() => cleanup());

/** A valid request for every route in route-access.ts, and what the admin gets for it. */
const SAMPLES: Record<string, { url: string; body?: unknown; admin: number }> = {
  'GET /api/analytics/overall': { url: '/api/analytics/overall?days=7', admin: 200 },
  'GET /api/analytics/users': { url: '/api/analytics/users?days=7', admin: 200 },
  'GET /api/analytics/user/:user_id': { url: '/api/analytics/user/nobody', admin: 404 },
  'GET /api/analytics/user/:user_id/export': { url: '/api/analytics/user/nobody/export', admin: 200 },
  'DELETE /api/analytics/user/:user_id': { url: '/api/analytics/user/nobody', admin: 200 },
  'GET /api/analytics/realtime': { url: '/api/analytics/realtime', admin: 200 },
  'POST /api/analytics/query': {
    url: '/api/analytics/query',
    body: { metrics: ['pageviews'], dimensions: ['user'], date_range: '7d' },
    admin: 200,
  },
  'GET /api/analytics/funnel': { url: '/api/analytics/funnel?date_range=7d', admin: 200 },
  'POST /api/analytics/funnel': { url: '/api/analytics/funnel', body: { date_range: '7d' }, admin: 200 },
  'GET /api/analytics/retention': { url: '/api/analytics/retention?date_range=30d', admin: 200 },
  'GET /api/analytics/journeys': { url: '/api/analytics/journeys?date_range=7d', admin: 200 },
  'GET /api/analytics/virality': { url: '/api/analytics/virality?days=7', admin: 200 },
  'GET /api/analytics/sites': { url: '/api/analytics/sites', admin: 200 },
  'GET /api/analytics/properties': { url: '/api/analytics/properties?action=purchase', admin: 200 },
  'GET /api/analytics/funnels': { url: '/api/analytics/funnels?site=shop.example', admin: 200 },
  'POST /api/analytics/funnels': {
    url: '/api/analytics/funnels',
    body: {
      site: 'shop.example',
      name: 'Buy',
      steps: [
        { type: 'page', value: '*' },
        { type: 'action', value: 'purchase' },
      ],
    },
    admin: 201,
  },
  'PUT /api/analytics/funnels/:id': {
    url: '/api/analytics/funnels/nothing-here',
    body: { site: 'shop.example', name: 'Buy', steps: [{ type: 'page', value: '*' }, { type: 'share' }] },
    admin: 404,
  },
  'DELETE /api/analytics/funnels/:id': { url: '/api/analytics/funnels/nothing-here', admin: 404 },
  'GET /api/analytics/segments': { url: '/api/analytics/segments', admin: 200 },
  'POST /api/analytics/segments': {
    url: '/api/analytics/segments',
    body: { site: 'shop.example', name: 'Germany', filters: [['is', 'country', ['DE']]] },
    admin: 201,
  },
  'PUT /api/analytics/segments/:id': {
    url: '/api/analytics/segments/nothing-here',
    body: { site: 'shop.example', name: 'Germany', filters: [['is', 'country', ['DE']]] },
    admin: 404,
  },
  'DELETE /api/analytics/segments/:id': { url: '/api/analytics/segments/nothing-here', admin: 404 },
  'POST /api/analytics/track': {
    url: '/api/analytics/track',
    body: { site: 'shop.example', user_id: 'alice', action: 'purchase', data: { amount: 9 } },
    admin: 202,
  },
  'POST /api/analytics/track-share': {
    url: '/api/analytics/track-share',
    body: { site: 'shop.example', user_id: 'alice', platform: 'email', recipient_count: 2 },
    admin: 202,
  },
};

type Credential = 'none' | 'wrong token' | 'write key' | 'admin token';
const TOKENS: Record<Credential, string | null> = {
  none: null,
  'wrong token': WRONG,
  'write key': WRITE,
  'admin token': ADMIN,
};

let nextIp = 0;
/** Each request from its own address, so the wrong-token cases never add up to a lockout. */
function send(method: string, url: string, token: string | null, body?: unknown): Promise<Response> {
  nextIp += 1;
  return Promise.resolve(
    collector.app.request(url, {
      method,
      headers: {
        'x-forwarded-for': `10.0.${nextIp >> 8}.${nextIp & 255}`,
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    }),
  );
}

const CASES = ANALYTICS_ROUTES.flatMap((route) =>
  (Object.keys(TOKENS) as Credential[]).map((credential) => {
    const sample = SAMPLES[`${route.method} ${route.path}`]!;
    const allowed = credential === 'admin token' || (credential === 'write key' && route.access === 'track');
    return { ...route, credential, sample, expected: allowed ? sample.admin : 401 };
  }),
);

describe('who may call each analytics route', () => {
  it('has a row for every /api/analytics route the app serves, and a sample for every row', () => {
    const served = collector.app.routes
      .filter((r) => r.path.startsWith('/api/analytics') && r.method !== 'ALL')
      .map((r) => `${r.method} ${r.path}`);
    const table = ANALYTICS_ROUTES.map((r) => `${r.method} ${r.path}`);
    expect(new Set(served)).toEqual(new Set(table));
    expect(Object.keys(SAMPLES).sort()).toEqual([...table].sort());
  });

  it.each(CASES)('$method $path with $credential → $expected', async (c) => {
    const res = await send(c.method, c.sample.url, TOKENS[c.credential], c.sample.body);
    expect(res.status).toBe(c.expected);
    if (c.expected === 401) expect(res.headers.get('www-authenticate')).toContain('Bearer');
  });

  it.each([
    ['POST', '/api/analytics/nope'],
    ['POST', '/api/analytics/track/'],
    ['POST', '/api/analytics'],
    ['PUT', '/api/analytics/track'],
    ['GET', '/api/analytics/track'],
    ['DELETE', '/api/analytics/track'],
  ])('refuses the write key on %s %s, which is no track route', async (method, url) => {
    const body = method === 'GET' ? undefined : { site: 'shop.example', user_id: 'a', action: 'x' };
    const res = await send(method, url, WRITE, body);
    expect(res.status).toBe(401);
    expect(accessFor(method, url)).toBe('admin');
  });
});
