import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Collector } from '../../../server/collector.ts';
import { adminHealth, collectorOver, fixedClock } from '../../support/helpers.ts';
import { goldenRecords, NOW, SITE } from '../../support/query/golden-data.ts';

const TOKEN = 'query-http-test-token-0123456789';
const clock = fixedClock(NOW);
let collector: Collector;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ collector, cleanup } = await collectorOver(goldenRecords(), { ANALYTICS_ADMIN_TOKEN: TOKEN }, clock));
});
afterAll(async () => {
  await cleanup();
});

const auth = { authorization: `Bearer ${TOKEN}` };
const get = (path: string, headers: Record<string, string> = auth) =>
  collector.app.request(path, { headers });
const post = (path: string, body: unknown, headers: Record<string, string> = auth) =>
  collector.app.request(path, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('query API over HTTP', () => {
  it.each([
    ['GET', '/api/analytics/overall'],
    ['GET', '/api/analytics/users'],
    ['GET', '/api/analytics/user/alice'],
    ['GET', '/api/analytics/realtime'],
    ['POST', '/api/analytics/query'],
    ['POST', '/api/analytics/funnel'],
    ['GET', '/api/analytics/retention'],
    ['GET', '/api/analytics/journeys'],
    ['GET', '/api/analytics/virality'],
    ['POST', '/api/analytics/track'],
    ['POST', '/api/analytics/track-share'],
  ])('%s %s answers 401 JSON without the admin token', async (method, path) => {
    const res = await collector.app.request(path, { method, body: method === 'POST' ? '{}' : undefined });
    expect(res.status).toBe(401);
    expect(await res.json()).toHaveProperty('error');
  });

  it('answers the seed endpoints on the stored history', async () => {
    const overall = await (await get('/api/analytics/overall?days=1')).json();
    expect(overall).toMatchObject({ visitors: 3, sessions: 4, pageviews: 4, bounce_rate: 66.67 });
    const users = await (await get('/api/analytics/users?days=7&sort=user_id&order=asc')).json();
    expect(users.users.map((u: { user_id: string }) => u.user_id)).toEqual(['alice', 'carol']);
    const alice = await (await get('/api/analytics/user/alice?days=1')).json();
    expect(alice).toMatchObject({ user_id: 'alice', actions: 3, shares: 1 });
    const realtime = await (await get('/api/analytics/realtime')).json();
    expect(realtime).toMatchObject({ active_users_5m: 0, active_users_1h: 2, active_users_24h: 3 });
    expect(realtime.events.length).toBeGreaterThan(0);
  });

  it('answers the reports and the general query', async () => {
    const funnel = await (await post('/api/analytics/funnel', { date_range: '24h' })).json();
    expect(funnel.steps.map((s: { visitors: number }) => s.visitors)).toEqual([2, 1, 1, 1]);
    const fromQuery = await (await get('/api/analytics/funnel?date_range=24h')).json();
    expect(fromQuery).toEqual(funnel);
    const retention = await (await get('/api/analytics/retention?date_range=all')).json();
    expect(retention.cohorts).toHaveLength(2);
    const journeys = await (await get('/api/analytics/journeys?date_range=24h')).json();
    expect(journeys.transitions).toEqual([{ from: '/', to: '/upload', count: 1 }]);
    const virality = await (await get('/api/analytics/virality?days=1')).json();
    expect(virality.k_factor).toBe(1);
    const query = await (
      await post(`/api/analytics/query?site=${SITE}`, {
        metrics: ['pageviews'],
        dimensions: ['country'],
        date_range: '24h',
      })
    ).json();
    expect(query.results).toEqual([
      { dimensions: ['DE'], metrics: [3] },
      { dimensions: ['FR'], metrics: [1] },
      { dimensions: [''], metrics: [0] }, // the server-side action has no country
    ]);
  });

  it('site= selects a site', async () => {
    const other = await (await get('/api/analytics/overall?days=1&site=other.test')).json();
    expect([other.site, other.visitors]).toEqual(['other.test', 0]);
  });

  it('overall and virality narrow every figure to the filters, as the general query does', async () => {
    const filters = [['is', 'country', ['DE']]];
    const param = encodeURIComponent(JSON.stringify(filters));
    const all = await (await get('/api/analytics/overall?days=1')).json();
    const de = await (await get(`/api/analytics/overall?days=1&filters=${param}`)).json();
    const body = { metrics: ['visitors', 'pageviews'], date_range: '24h', filters };
    const totals = await (await post('/api/analytics/query', body)).json();
    // The golden data's visitors A and C are in Germany, B in France.
    expect([de.visitors, de.pageviews]).toEqual(totals.results[0].metrics);
    expect(de.visitors).toBeLessThan(all.visitors);
    expect(de.countries.map((r: { key: string }) => r.key)).toEqual(['DE']);
    expect(de.active_users_24h).toBe(de.visitors);
    const shares = async (q: string) => (await get(`/api/analytics/virality?days=1${q}`)).json();
    const byCountry = await shares(
      `&filters=${encodeURIComponent(JSON.stringify([['is', 'country', ['FR']]]))}`,
    );
    expect(byCountry.total_shares).toBeLessThan((await shares('')).total_shares);
  });

  it.each([
    ['/api/analytics/overall?days=1&filters=%5B%5B', 'filters must be a JSON array'],
    [
      '/api/analytics/overall?days=1&filters=%5B%5B%22is%22%2C%22colour%22%2C%5B%22x%22%5D%5D%5D',
      'filters[0][1]',
    ],
    ['/api/analytics/virality?days=1&filters=%7B%7D', 'filters'],
    ['/api/analytics/overall?days=0', 'days'],
    ['/api/analytics/overall?days=abc', 'days'],
    ['/api/analytics/overall?from=2026-11-01', 'from'],
    ['/api/analytics/overall?from=2026-13-01&to=2026-11-02', '2026-13-01'],
    ['/api/analytics/overall?site=a%20b', 'site'],
    ['/api/analytics/users?sort=password', 'sort'],
    ['/api/analytics/users?limit=100000', 'limit'],
    ['/api/analytics/retention?date_range=2y', 'date_range'],
  ])('GET %s answers 400 naming %s', async (path, field) => {
    const res = await get(path);
    expect(res.status).toBe(400);
    expect((await res.json()).error).toContain(field);
  });

  it.each([
    [{ metrics: ['visits'] }, 'metrics[0]'],
    [{ metrics: [] }, 'metrics'],
    [{ metrics: ['visitors'], dimensions: ['colour'] }, 'dimensions[0]'],
    [{ metrics: ['visitors'], filters: [['like', 'page', ['/']]] }, 'filters[0][0]'],
    [{ metrics: ['visitors'], filters: [['is', 'time:day', ['x']]] }, 'filters[0][1]'],
    [{ metrics: ['visitors'], filters: [['matches', 'page', ['(']]] }, 'filters[0][2]'],
    [{ metrics: ['visitors'], date_range: 'yesterday' }, 'date_range'],
    [{ metrics: ['visitors'], order_by: [['pageviews', 'desc']] }, 'order_by[0]'],
    [{ metrics: ['visitors'], limit: -1 }, 'limit'],
    [{ metrics: ['visitors'], extra: 1 }, 'extra'],
    ['{not json', 'JSON'],
  ])('POST /api/analytics/query %j answers 400 naming %s', async (body, field) => {
    const res = await post('/api/analytics/query', body);
    expect(res.status).toBe(400);
    expect((await res.json()).error).toContain(field);
  });

  it('answers 404 JSON for an unknown user', async () => {
    const res = await get('/api/analytics/user/nobody?days=30');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'no such user in this range' });
  });
});

describe('server-side tracking over HTTP', () => {
  it('stores a seed-style action and share, durable and visible to the next query', async () => {
    const before = await (await get('/api/analytics/overall?days=1')).json();
    const action = await post('/api/analytics/track', {
      site: SITE,
      session_id: 'flask-1',
      user_id: 'dave',
      action: 'photo_processed',
      data: { processed_count: 150, total_files: 200 },
    });
    expect([action.status, await action.json()]).toEqual([202, { accepted: 1 }]);
    const share = await post('/api/analytics/track-share', {
      site: SITE,
      session_id: 'flask-1',
      user_id: 'dave',
      platform: 'WhatsApp',
      data: { link: 'https://cloudface-ai.com/s/abc123' },
      recipient_count: 5,
    });
    expect(share.status).toBe(202);

    const after = await (await get('/api/analytics/overall?days=1')).json();
    expect(after.actions.photo_processed.sums.processed_count).toBe(
      before.actions.photo_processed.sums.processed_count + 150,
    );
    expect(after.shares.channels.whatsapp).toEqual({ count: 2, recipients: 8 });
    const dave = await (await get('/api/analytics/user/dave?days=1')).json();
    expect([dave.sessions, dave.actions, dave.shares]).toEqual([1, 1, 1]);

    // Same storage as beacon events: the records are in the day files, without any IP.
    const stored = [];
    for await (const r of collector.store.scan({ from: NOW - 1000 })) if (r.user === 'dave') stored.push(r);
    expect(stored.map((r) => [r.kind, r.name, r.session, r.visitor])).toEqual([
      ['action', 'photo_processed', 'flask-1', 'u:dave'],
      ['share', 'whatsapp', 'flask-1', 'u:dave'],
    ]);
  });

  it.each([
    ['/api/analytics/track', { site: SITE, user_id: 'x' }, 'action'],
    ['/api/analytics/track', { site: SITE, action: 'a' }, 'session_id or user_id'],
    ['/api/analytics/track', { site: 5, user_id: 'x', action: 'a' }, 'site'],
    ['/api/analytics/track', { site: SITE, user_id: 'x', action: 'a', data: { deep: { x: 1 } } }, 'data'],
    ['/api/analytics/track', { site: SITE, user_id: 'x', action: 'a', color: 1 }, 'color'],
    [
      '/api/analytics/track-share',
      { site: SITE, user_id: 'x', platform: 'email', recipient_count: -1 },
      'recipient_count',
    ],
    ['/api/analytics/track-share', { site: SITE, user_id: 'x' }, 'platform'],
  ])('POST %s %j answers 400 naming %s', async (path, body, field) => {
    const res = await post(path, body);
    expect(res.status).toBe(400);
    expect((await res.json()).error).toContain(field);
  });

  it('reports the index in /healthz', async () => {
    const health = await adminHealth(collector);
    expect(health.query_index).toMatchObject({ ready: true, progress: 1 });
    expect(health.query_index.rows).toBeGreaterThanOrEqual(goldenRecords().length);
  });
});
