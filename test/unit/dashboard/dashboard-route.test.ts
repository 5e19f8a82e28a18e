import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { testCollector } from '../../support/helpers.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function collector(env: Record<string, string> = {}) {
  const t = await testCollector(env);
  cleanups.push(t.cleanup);
  return t.collector;
}

function expectAdminHeaders(res: Response) {
  const csp = res.headers.get('content-security-policy') ?? '';
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).not.toContain('unsafe-inline');
  expect(csp).not.toContain('unsafe-eval');
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(res.headers.get('x-frame-options')).toBe('DENY');
}

describe('dashboard route', () => {
  it('serves the app shell at /admin/analytics with a strict CSP and no inline script', async () => {
    const c = await collector();
    for (const path of ['/admin/analytics', '/admin/analytics/', '/admin/analytics?range=30d&country=FR']) {
      const res = await c.app.request(path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/html');
      expectAdminHeaders(res);
      const body = await res.text();
      expect(body).toContain('<script type="module" src="/admin/analytics/main.js"></script>');
      // Every script tag has a src: nothing inline for an attacker's markup to hide among.
      expect(body.match(/<script(?![^>]*\ssrc=)[^>]*>/g)).toBeNull();
      expect(body).not.toMatch(/\son[a-z]+=/i);
    }
  });

  it('serves the bundle, stylesheet and worker with their types, and 304 on a matching ETag', async () => {
    const c = await collector();
    const js = await c.app.request('/admin/analytics/main.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toContain('application/javascript');
    expectAdminHeaders(js);
    const etag = js.headers.get('etag')!;
    const again = await c.app.request('/admin/analytics/main.js', { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    const css = await c.app.request('/admin/analytics/main.css');
    expect(css.headers.get('content-type')).toContain('text/css');
    const sw = await c.app.request('/admin/analytics/sw.js');
    expect(sw.status).toBe(200);
    expect(sw.headers.get('service-worker-allowed')).toBe('/admin/analytics');
  });

  it('answers 404 for files that are not part of the build, including path tricks', async () => {
    const c = await collector();
    for (const path of [
      '/admin/analytics/nope.js',
      '/admin/analytics/..%2F..%2Fpackage.json',
      '/admin/analytics/%2e%2e',
    ]) {
      const res = await c.app.request(path);
      expect(res.status).toBe(404);
    }
  });
});

describe('dashboard source maps', () => {
  it('are neither linked from the public bundle nor served, with or without the token', async () => {
    const dist = join(import.meta.dirname, '..', '..', '..', 'dist', 'dashboard');
    const names = await readdir(dist);
    const maps = names.filter((n) => n.endsWith('.map'));
    // The build keeps them next to the bundle for local debugging…
    expect(maps).toEqual(expect.arrayContaining(['main.js.map', 'main.css.map']));
    const c = await collector();
    for (const name of [...maps, 'main.js.map', 'chunk-ABCDEF.js.map']) {
      expect((await c.app.request(`/admin/analytics/${name}`)).status, name).toBe(404);
      const withToken = await c.app.request(`/admin/analytics/${name}`, {
        headers: { authorization: `Bearer ${c.adminToken}` },
      });
      expect(withToken.status, name).toBe(404);
    }
    // …and no served file points at one.
    for (const name of names.filter((n) => /\.(js|css)$/.test(n))) {
      const res = await c.app.request(`/admin/analytics/${name}`);
      expect(res.status, name).toBe(200);
      expect(await res.text(), name).not.toContain('sourceMappingURL');
    }
  });
});

describe('site list for the switcher', () => {
  it('lists ANALYTICS_SITES, then the sites of the data, behind the admin token', async () => {
    const t = await testCollector({
      ANALYTICS_SITES: 'a.example,b.example',
      ANALYTICS_ADMIN_TOKEN: 'site-list-token-0123456789',
    });
    cleanups.push(t.cleanup);
    expect((await t.collector.app.request('/api/analytics/sites')).status).toBe(401);
    const res = await t.collector.app.request('/api/analytics/sites', {
      headers: { authorization: 'Bearer site-list-token-0123456789' },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      sites: ['a.example', 'b.example'],
      configured: ['a.example', 'b.example'],
      seen: [],
      applies: {
        'a.example': { cards: [], default_funnel: false },
        'b.example': { cards: [], default_funnel: false },
      },
    });
  });

  it('tells the login form where the token comes from, without the token', async () => {
    const token = 'login-hint-env-token-0123456789';
    const fromEnv = await collector({ ANALYTICS_ADMIN_TOKEN: token });
    const res = await fromEnv.app.request('/admin/analytics/login-hint');
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ token_from: 'env' });
    expect(text).not.toContain(token);
    const fromFile = await collector();
    expect(await (await fromFile.app.request('/admin/analytics/login-hint')).json()).toEqual({
      token_from: 'file',
    });
  });
});
