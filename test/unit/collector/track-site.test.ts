import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { chooseSite, DEFAULT_SITE } from '../../../collector/track-site.ts';
import { kindFile, utcDay } from '../../../storage/day-files.ts';
import { fixedClock, postEvent, testCollector } from '../../support/helpers.ts';

describe('the site of a server-side call that names none (chooseSite)', () => {
  it.each([
    ['the one configured site', ['a.com'], ['b.com', 'c.com'], 'a.com'],
    ['the one site seen, on a default install', [], ['a.com'], 'a.com'],
    ['the default with nothing seen yet', [], [], DEFAULT_SITE],
    ['the default when only the default was seen', [], [DEFAULT_SITE], DEFAULT_SITE],
    ['the first real site seen after calls made before it', [], [DEFAULT_SITE, 'a.com'], 'a.com'],
  ])('%s', (_name, configured, seen, expected) => {
    expect(chooseSite(configured, seen)).toBe(expected);
  });

  it.each([
    ['several configured sites', ['b.com', 'a.com'], [], /2 sites exist \(a\.com, b\.com\)/],
    ['several sites seen', [], ['b.com', DEFAULT_SITE, 'a.com'], /2 sites exist \(a\.com, b\.com\)/],
    [
      'a flood of forged site names (listed up to 20)',
      [],
      Array.from({ length: 30 }, (_, i) => `s${String(i).padStart(2, '0')}.com`),
      /30 sites exist \(s00\.com, .*s19\.com, …\)$/,
    ],
  ])('refuses to guess among %s, listing them', (_name, configured, seen, message) => {
    expect(() => chooseSite(configured, seen)).toThrow(message);
  });
});

describe('POST /api/analytics/track without a site', () => {
  const T0 = Date.parse('2026-11-20T10:00:00Z');
  const TOKEN = 'track-site-test-token-0123456789';
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  async function start(env: Record<string, string> = {}) {
    const t = await testCollector({ ANALYTICS_ADMIN_TOKEN: TOKEN, ...env }, fixedClock(T0));
    cleanups.push(t.cleanup);
    await t.collector.queryReady;
    // The seed's own call: session, user, action and data, no site.
    const track = (path = '/api/analytics/track') =>
      t.collector.app.request(path, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          session_id: 'flask-1',
          user_id: 'dave',
          action: 'photo_processed',
          data: { processed_count: 150 },
        }),
      });
    const actions = async () =>
      (await readFile(kindFile(t.dir, utcDay(T0), 'action'), 'utf8').catch(() => ''))
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line).site as string);
    return { ...t, track, actions };
  }

  it('files calls under the default before any event, then under the one site the data holds', async () => {
    const { collector, track, actions } = await start();
    expect((await track()).status).toBe(202);
    expect(await actions()).toEqual([DEFAULT_SITE]);

    expect(
      (await postEvent(collector, { k: 'p', s: 'cloudface-ai.com', u: 'https://cloudface-ai.com/' })).status,
    ).toBe(202);
    expect((await track()).status).toBe(202);
    expect(await actions()).toEqual([DEFAULT_SITE, 'cloudface-ai.com']);
  });

  it('answers 400 listing the sites when the data holds several and the call names none', async () => {
    const { collector, track, actions } = await start();
    for (const site of ['b.example', 'a.example'])
      expect((await postEvent(collector, { k: 'p', u: `https://${site}/` })).status).toBe(202);
    const res = await track();
    expect(res.status).toBe(400);
    expect((await res.json()).error).toBe(
      'site is required (body or ?site=): 2 sites exist (a.example, b.example)',
    );
    expect(await actions()).toEqual([]);
  });

  it('takes the one configured site, and lists the configured ones when there are several', async () => {
    const one = await start({ ANALYTICS_SITES: 'cloudface-ai.com' });
    expect((await one.track('/api/analytics/track-share')).status).toBe(400); // a share needs its platform
    expect((await one.track()).status).toBe(202);
    expect(await one.actions()).toEqual(['cloudface-ai.com']);

    const several = await start({ ANALYTICS_SITES: 'cloudface-ai.com,www.cloudface-ai.com' });
    const res = await several.track();
    expect([res.status, (await res.json()).error]).toEqual([
      400,
      'site is required (body or ?site=): 2 sites exist (cloudface-ai.com, www.cloudface-ai.com)',
    ]);
  });
});
