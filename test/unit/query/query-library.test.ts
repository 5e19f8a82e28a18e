import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../collector/config.ts';
import { createCollector } from '../../../server/collector.ts';
import { parseCards } from '../../../query/cards-config.ts';
import { createAnalytics } from '../../../library/index.ts';
import { fixedClock, tempDir } from '../../support/helpers.ts';
import { NOW } from '../../support/query/golden-data.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe('createAnalytics (server-side library)', () => {
  it('tracks the seed calls and answers with the HTTP shapes, across a reopen', async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const clock = fixedClock(NOW);
    const analytics = await createAnalytics({ dataDir: dir, clock, site: 'cloudface-ai.com' });
    await analytics.trackAction('s1', 'user123', 'photo_processed', {
      processed_count: 150,
      total_files: 200,
    });
    clock.advance(60_000);
    await analytics.trackAction('s1', 'user123', 'search_performed', {
      matches_found: 25,
      threshold_used: 0.5,
    });
    await analytics.trackShare('s1', 'user123', 'whatsapp', { link: 'https://cloudface-ai.com/s/abc123' }, 5);
    const overall = await analytics.getOverallAnalytics({ days: 30 });
    expect(overall.actions.photo_processed).toEqual({
      count: 1,
      users: 1,
      sums: { processed_count: 150, total_files: 200 },
    });
    expect(overall.shares.total).toBe(1);
    expect(overall.metrics.find((m) => m.id === 'search_success_rate')!.value).toBe(100);
    const user = await analytics.getUserAnalytics('user123', { days: 30 });
    expect(user).toMatchObject({ user_id: 'user123', sessions: 1, actions: 2, shares: 1 });
    expect(user!.sessions_list[0]!.duration).toBe(60);
    expect(await analytics.getUserAnalytics('nobody')).toBeNull();
    expect((await analytics.getRealtimeStats()).active_users_5m).toBe(1);
    await analytics.close();

    // Everything was fsynced to the data dir: a new instance (or the collector) sees it, here
    // from the index snapshot close() left, with the same answers.
    expect((await readdir(join(dir, 'index'))).some((f) => f.endsWith('.snap'))).toBe(true);
    // A restart happens after the last record (the index loads what was stored before it).
    clock.advance(1_000);
    const again = await createAnalytics({ dataDir: dir, clock });
    const reopened = await again.getOverallAnalytics({ days: 30 });
    expect({ ...reopened, range: null, query: null }).toEqual({ ...overall, range: null, query: null });
    await expect(again.trackAction(null, null, 'x')).rejects.toThrow(/session_id or user_id/);
    await again.trackAction(null, 'user456', 'photo_processed', { processed_count: 10 });
    await again.close();
    // Again after a second close, whose snapshot holds the new record.
    clock.advance(1_000);
    const third = await createAnalytics({ dataDir: dir, clock });
    expect((await third.getOverallAnalytics({ days: 1 })).actions.photo_processed).toMatchObject({
      count: 2,
      users: 2,
    });
    await third.close();
  });
});

describe('metric cards configuration', () => {
  it('rejects a malformed card, naming it', () => {
    expect(() => parseCards({})).toThrow(/array/);
    expect(() => parseCards([{ id: 'a', label: 'A', kind: 'median', event: 'x' }])).toThrow(
      /cards\[0\]\.kind/,
    );
    expect(() => parseCards([{ id: 'a', label: 'A', kind: 'sum', event: 'x' }])).toThrow(/cards\[0\]\.prop/);
    expect(() =>
      parseCards([{ id: 'a', label: 'A', kind: 'rate', event: 'x', where: { prop: 'p' } }]),
    ).toThrow(/cards\[0\]\.where/);
  });

  it('ANALYTICS_METRICS_FILE replaces the CloudFace cards; a bad file stops the start naming it', async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const file = join(dir, 'cards.json');
    await writeFile(
      file,
      JSON.stringify([
        { id: 'revenue', label: 'Revenue', kind: 'sum', event: 'purchase', prop: 'amount' },
        { id: 'buyers', label: 'Buyers', kind: 'unique_users', event: 'purchase' },
      ]),
    );
    const clock = fixedClock(NOW);
    const token = 'cards-test-token-0123456789';
    const collector = await createCollector({
      config: loadConfig({
        ANALYTICS_DATA_DIR: dir,
        ANALYTICS_ADMIN_TOKEN: token,
        ANALYTICS_METRICS_FILE: file,
      }),
      clock,
    });
    cleanups.unshift(() => collector.close());
    await collector.queryReady;
    const track = (user: string, amount: number) =>
      collector.app.request('/api/analytics/track', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ site: 'shop.test', user_id: user, action: 'purchase', data: { amount } }),
      });
    expect((await track('a', 10)).status).toBe(202);
    expect((await track('a', 5)).status).toBe(202);
    expect((await track('b', 7.5)).status).toBe(202);
    const overall = await (
      await collector.app.request('/api/analytics/overall?days=1', {
        headers: { authorization: `Bearer ${token}` },
      })
    ).json();
    expect(overall.metrics).toEqual([
      { id: 'revenue', label: 'Revenue', kind: 'sum', value: 22.5 },
      { id: 'buyers', label: 'Buyers', kind: 'unique_users', value: 2 },
    ]);

    await writeFile(file, '[{"id": 1}');
    await expect(
      createCollector({
        config: loadConfig({ ANALYTICS_DATA_DIR: dir, ANALYTICS_METRICS_FILE: file }),
        clock,
      }),
    ).rejects.toThrow(/ANALYTICS_METRICS_FILE/);
  });
});
