import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCollector } from '../../support/helpers.ts';

// Who may change a saved segment, through the real app with real sessions: a private one only its
// owner, a shared one its owner or an admin of its site; viewers read and apply shared ones.

const ADMIN = 'segment-rights-admin-token-0123456789';
const PASSWORD = 'a long enough password';
const SITE = 'a.test';

let t: Awaited<ReturnType<typeof testCollector>>;
type Who = Record<string, string>;
const token: Who = { authorization: `Bearer ${ADMIN}` };
let vera: Who;
let wendy: Who;
let adam: Who;

function send(method: string, path: string, who: Who, body?: unknown) {
  return Promise.resolve(
    t.collector.app.request(`http://localhost${path}`, {
      method,
      headers: { 'content-type': 'application/json', origin: 'http://localhost', ...who },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  );
}

async function account(name: string, roles: Record<string, string>): Promise<Who> {
  expect((await send('POST', '/api/admin/users', token, { name, password: PASSWORD, roles })).status).toBe(
    201,
  );
  const res = await send('POST', '/api/auth/login', {}, { username: name, password: PASSWORD });
  expect(res.status).toBe(200);
  const { csrf } = (await res.json()) as { csrf: string };
  return { cookie: res.headers.get('set-cookie')!.split(';')[0]!, 'x-csrf-token': csrf };
}

const segment = (name: string, shared: boolean) => ({
  site: SITE,
  name,
  filters: [['is', 'country', ['DE']]],
  shared,
});

async function save(who: Who, name: string, shared: boolean): Promise<string> {
  const res = await send('POST', '/api/analytics/segments', who, segment(name, shared));
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

const names = async (who: Who) =>
  (
    (await (await send('GET', `/api/analytics/segments?site=${SITE}`, who)).json()) as {
      segments: { name: string }[];
    }
  ).segments.map((s) => s.name);

beforeAll(async () => {
  t = await testCollector({ ANALYTICS_ADMIN_TOKEN: ADMIN });
  vera = await account('vera', { [SITE]: 'viewer' });
  wendy = await account('wendy', { [SITE]: 'viewer' });
  adam = await account('adam', { [SITE]: 'admin' });
});
afterAll(() => t.cleanup());

describe('changing a saved segment', () => {
  it('a viewer changes and deletes her own segments, private or shared', async () => {
    const mine = await save(vera, 'vera private', false);
    const ours = await save(vera, 'vera shared', true);
    expect(
      (await send('PUT', `/api/analytics/segments/${mine}`, vera, segment('vera private 2', false))).status,
    ).toBe(200);
    expect(
      (await send('PUT', `/api/analytics/segments/${ours}`, vera, segment('vera shared 2', true))).status,
    ).toBe(200);
    expect((await send('DELETE', `/api/analytics/segments/${mine}`, vera)).status).toBe(204);
    expect((await send('DELETE', `/api/analytics/segments/${ours}`, vera)).status).toBe(204);
  });

  it('another viewer reads and applies a shared segment but cannot change or delete it', async () => {
    const ours = await save(vera, 'team Germany', true);
    expect(await names(wendy)).toContain('team Germany');
    const query = { site: SITE, metrics: ['visitors'], date_range: '7d', filters: segment('', true).filters };
    expect((await send('POST', '/api/analytics/query', wendy, query)).status).toBe(200);
    const put = await send('PUT', `/api/analytics/segments/${ours}`, wendy, segment('hijacked', true));
    expect(put.status).toBe(403);
    expect(await put.json()).toEqual({
      error: 'a shared segment is changed only by its owner or an admin of its site',
    });
    expect((await send('DELETE', `/api/analytics/segments/${ours}`, wendy)).status).toBe(403);
    expect(await names(vera)).toContain('team Germany');
    // The admin token's shared segments are no different.
    const owners = await save(token, 'owner shared', true);
    expect((await send('DELETE', `/api/analytics/segments/${owners}`, vera)).status).toBe(403);
  });

  it('an admin of the site changes and deletes a shared segment, never someone’s private one', async () => {
    const ours = await save(vera, 'shared for adam', true);
    const mine = await save(vera, 'private from adam', false);
    const put = await send('PUT', `/api/analytics/segments/${ours}`, adam, segment('fixed by adam', true));
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ name: 'fixed by adam', owner: 'account:vera' });
    expect((await send('PUT', `/api/analytics/segments/${mine}`, adam, segment('x', false))).status).toBe(
      404,
    );
    expect((await send('DELETE', `/api/analytics/segments/${mine}`, adam)).status).toBe(404);
    expect((await send('DELETE', `/api/analytics/segments/${ours}`, adam)).status).toBe(204);
    expect(await names(vera)).toContain('private from adam');
  });
});
