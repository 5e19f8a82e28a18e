import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../collector/config.ts';
import { createCollector } from '../../server/collector.ts';
import { eventsDir } from '../../storage/day-files.ts';
import { fixedClock, postEvent, tempDir, testCollector } from '../support/helpers.ts';

const TOKEN = 'admin-token-0123456789abcdef';
const DAY = 86_400_000;
const T0 = Date.parse('2026-11-20T10:00:00Z');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const base = { s: 'example.com', u: 'https://example.com/photos' };
const auth = { authorization: `Bearer ${TOKEN}` };

async function grepDataDir(dir: string, needle: string): Promise<string[]> {
  const hits: string[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    if ((await readFile(path, 'latin1')).includes(needle)) hits.push(path);
  }
  return hits;
}

describe('DELETE /api/analytics/user/{user_id} and GET …/export', () => {
  it('exports all of a user’s records as JSON, then erases them so the id is nowhere in the data dir', async () => {
    const { collector, dir, cleanup } = await testCollector({ ANALYTICS_ADMIN_TOKEN: TOKEN }, fixedClock(T0));
    cleanups.push(cleanup);
    const user = 'user-42@example.com';
    await postEvent(collector, [
      { ...base, k: 'p', i: user },
      { ...base, k: 'e', d: 1200, x: 50, i: user },
      { ...base, k: 'a', n: 'photo_processed', p: { processed_count: 3 }, i: user },
      { ...base, k: 's', n: 'whatsapp', l: 'https://example.com/s/abc', c: 2, i: user },
      { ...base, k: 'p', i: 'someone-else' },
    ]);

    await collector.queryReady;
    const userReport = (id: string) =>
      collector.app.request(`/api/analytics/user/${encodeURIComponent(id)}?days=30`, { headers: auth });
    expect((await userReport(user)).status).toBe(200);

    const exported = await collector.app.request(`/api/analytics/user/${encodeURIComponent(user)}/export`, {
      headers: auth,
    });
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-disposition')).toContain('attachment');
    const body = await exported.json();
    expect(body.user).toBe(user);
    expect(body.records.map((r: { kind: string }) => r.kind).sort()).toEqual([
      'action',
      'engagement',
      'pageview',
      'share',
    ]);
    expect(body.records.every((r: { user: string }) => r.user === user)).toBe(true);

    const erased = await collector.app.request(`/api/analytics/user/${encodeURIComponent(user)}`, {
      method: 'DELETE',
      headers: auth,
    });
    expect(erased.status).toBe(200);
    expect(await erased.json()).toEqual({ erased: 4 });
    expect(await grepDataDir(dir, user)).toEqual([]);
    // The query index dropped the user too: the read API no longer knows them.
    expect((await userReport(user)).status).toBe(404);
    expect((await userReport('someone-else')).status).toBe(200);
    const again = await (
      await collector.app.request(`/api/analytics/user/${encodeURIComponent(user)}/export`, { headers: auth })
    ).json();
    expect(again).toEqual({ user, records: [], complete: true });
    expect((await grepDataDir(join(dir, 'events'), 'someone-else')).length).toBe(1);
  });

  it.each([
    ['a control character', encodeURIComponent('bad\u0000id')],
    ['an id longer than any stored one', 'x'.repeat(201)],
  ])('refuses %s with 400', async (_name, id) => {
    const { collector, cleanup } = await testCollector({ ANALYTICS_ADMIN_TOKEN: TOKEN });
    cleanups.push(cleanup);
    const res = await collector.app.request(`/api/analytics/user/${id}`, { method: 'DELETE', headers: auth });
    expect(res.status).toBe(400);
  });
});

describe('ANALYTICS_RETENTION_DAYS', () => {
  it('purges day files older than the limit when the collector runs', async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const config = loadConfig({
      ANALYTICS_DATA_DIR: dir,
      ANALYTICS_RATE_LIMIT: '0',
      ANALYTICS_TRUST_PROXY: '1',
      ANALYTICS_RETENTION_DAYS: '2',
    });
    const clock = fixedClock(T0 - 5 * DAY);
    const first = await createCollector({ config, clock });
    for (const offset of [5, 3, 2, 0]) {
      clock.set(T0 - offset * DAY);
      expect((await postEvent(first, { ...base, k: 'p' })).status).toBe(202);
    }
    await first.close();
    expect(await readdir(eventsDir(dir))).toHaveLength(4);

    // The next start (and every hour after it) purges what fell out of the window.
    const second = await createCollector({ config, clock });
    await second.close();
    expect((await readdir(eventsDir(dir))).sort()).toEqual(['2026-11-18', '2026-11-20']);
  });
});
