import { existsSync } from 'node:fs';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { generate } from '../../../demo/generate.ts';
import { loadConfig } from '../../../collector/config.ts';
import { createCollector } from '../../../server/collector.ts';
import { kindFile, utcDay } from '../../../storage/day-files.ts';
import { JsonlStore } from '../../../storage/jsonl-store.ts';
import { DEFAULT_CARDS } from '../../../query/cards-config.ts';
import { MemoryBackend } from '../../../query/memory/backend.ts';
import { IndexSnapshots, type SnapshotLoaded } from '../../../query/memory/snapshot/snapshot.ts';
import { SnapshotSchedule } from '../../../query/memory/snapshot/snapshot-schedule.ts';
import { QueryService } from '../../../query/service.ts';
import { emptyRecord, type StoredRecord } from '../../../storage/schema.ts';
import { fixedClock, postEvent, tempDir } from '../../support/helpers.ts';
import { reheader } from './index-snapshot-helpers.ts';

const NOW = Date.parse('2026-11-27T12:00:00Z');
const SPLIT = Date.parse('2026-11-26T12:00:00Z');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Four days of generated traffic plus hand-made records with props and unicode strings. */
function dataset(): StoredRecord[] {
  const list = [...generate({ seed: 11, days: 4, events: 3000, end: NOW - 3_600_000 })];
  for (let i = 0; i < 40; i++) {
    const r = emptyRecord('action', SPLIT - 7_200_000 + i * 300_000, 'cloudface-ai.com');
    r.visitor = `hand-${i % 4}`;
    r.user = i % 2 ? 'zoë' : '山田';
    r.path = '/über/日本';
    r.name = 'photo_processed';
    r.props = { processed_count: i + 1, label: `größe ✓ ${i}` };
    list.push(r);
  }
  return list.sort((a, b) => a.ts - b.ts);
}

const ALL = dataset();
const BEFORE = ALL.filter((r) => r.ts < SPLIT);
const AFTER = ALL.filter((r) => r.ts >= SPLIT);

async function dataDir(): Promise<string> {
  const { dir, cleanup } = await tempDir();
  cleanups.push(cleanup);
  return dir;
}

/** The store and snapshots on `dir`, as the collector wires them. */
async function open(dir: string, clock = fixedClock(NOW)) {
  const logs: string[] = [];
  const snapshots = new IndexSnapshots(dir, clock, (line) => logs.push(line));
  const store = await JsonlStore.open({
    dataDir: dir,
    clock,
    compressEveryMs: 0,
    beforeRewrite: snapshots.invalidate,
  });
  cleanups.push(() => store.close());
  return { store, snapshots, logs, clock };
}

/** A backend loaded from the snapshot when one fits (`loaded` says how), else from every line. */
async function warmBackend(dir: string) {
  const { store, snapshots, logs, clock } = await open(dir);
  let loaded: SnapshotLoaded | null = null;
  const backend = new MemoryBackend(clock, async (index, to, progress) => {
    loaded = await snapshots.loadInto(index, store, { to, progress });
    return loaded !== null;
  });
  await backend.load(store);
  return { backend, loaded: loaded as SnapshotLoaded | null, logs, store, snapshots };
}

async function coldBackend(dir: string): Promise<MemoryBackend> {
  const { store, clock } = await open(dir);
  const backend = new MemoryBackend(clock);
  await backend.load(store);
  return backend;
}

/** Stores BEFORE, loads it fully and writes a snapshot of that index. */
async function snapshotOfBefore(dir: string): Promise<void> {
  const { store, snapshots, clock } = await open(dir);
  await store.append(BEFORE);
  const backend = new MemoryBackend(clock);
  await backend.load(store);
  expect(await snapshots.write(backend.index, store)).toMatchObject({ rows: BEFORE.length });
  await store.close();
}

/** The overall endpoint and a few general queries, as the API answers them. */
async function answers(backend: MemoryBackend) {
  const s = new QueryService({ backend, clock: fixedClock(NOW), cards: DEFAULT_CARDS, cacheMs: 0 });
  return {
    overall: await s.overall({ days: 7 }),
    users: await s.users({ days: 7 }),
    byDay: await s.query({
      metrics: ['visitors', 'sessions', 'pageviews', 'bounce_rate', 'session_duration'],
      dimensions: ['time:day'],
      date_range: '7d',
    }),
    pages: await s.query({
      metrics: ['visitors', 'pageviews', 'time_on_page', 'scroll_depth'],
      dimensions: ['page'],
      date_range: '7d',
      order_by: [['page', 'asc']],
      limit: 1000,
    }),
    props: await s.query({
      metrics: ['events', 'prop_sum:processed_count'],
      dimensions: ['event:props:label'],
      filters: [['is', 'event:name', ['photo_processed']]],
      date_range: '7d',
      order_by: [['event:props:label', 'asc']],
      limit: 1000,
    }),
  };
}

describe('start-up from an index snapshot', () => {
  it('reads only the lines stored after the snapshot and answers as a full load does', async () => {
    const dir = await dataDir();
    await snapshotOfBefore(dir);
    const { store } = await open(dir);
    await store.append(AFTER);
    await store.close();

    const warm = await warmBackend(dir);
    expect(warm.loaded).toMatchObject({ snapshotRows: BEFORE.length, tailRows: AFTER.length });
    // The split day's files grew, the last day's are new: only those two days are read.
    expect(warm.loaded!.tailFiles).toBeLessThanOrEqual(8);
    expect(warm.backend.status()).toMatchObject({ ready: true, rows: ALL.length, progress: 1 });
    expect(await answers(warm.backend)).toEqual(await answers(await coldBackend(dir)));
    expect(warm.logs.filter((l) => l.includes('not using'))).toEqual([]);
  });

  it('reports progress to /healthz while it loads from the snapshot', async () => {
    const dir = await dataDir();
    await snapshotOfBefore(dir);
    const { store, snapshots, clock } = await open(dir);
    const backend = new MemoryBackend(clock, async (index, to, progress) =>
      Boolean(await snapshots.loadInto(index, store, { to, progress })),
    );
    let done = false;
    const loading = backend.load(store).then(() => (done = true));
    const seen: { ready: boolean; progress: number }[] = [];
    while (!done) {
      seen.push(backend.status());
      await new Promise((resolve) => setImmediate(resolve));
    }
    await loading;
    const during = seen.filter((s) => !s.ready && s.progress > 0 && s.progress < 1);
    expect(during.length).toBeGreaterThan(0);
    // Never backwards.
    expect(seen.map((s) => s.progress)).toEqual([...seen.map((s) => s.progress)].sort((a, b) => a - b));
    expect(backend.status()).toMatchObject({ ready: true, progress: 1, rows: BEFORE.length });
  });

  it('reads on inside a day gzipped after the snapshot, and skips gzipped days it already holds', async () => {
    const dir = await dataDir();
    await snapshotOfBefore(dir);
    const { store, clock } = await open(dir);
    await store.append(AFTER);
    // Every day before the 27th is closed by now and gets gzipped: two of them unchanged, the
    // 26th grown since the snapshot.
    clock.set(NOW);
    expect(await store.compressNow()).toBeGreaterThan(4);
    await store.close();
    expect(existsSync(kindFile(dir, utcDay(SPLIT), 'pageview', true))).toBe(true);

    const warm = await warmBackend(dir);
    expect(warm.loaded).toMatchObject({ snapshotRows: BEFORE.length, tailRows: AFTER.length });
    expect(await answers(warm.backend)).toEqual(await answers(await coldBackend(dir)));
  });

  it('keeps lines whose torn tail was set aside after the snapshot', async () => {
    const dir = await dataDir();
    await snapshotOfBefore(dir);
    const { store } = await open(dir);
    await store.append(AFTER);
    await store.close();
    await appendFile(kindFile(dir, utcDay(NOW - 3_600_000), 'pageview'), '{"ts":1,"kind":"pagev');

    const warm = await warmBackend(dir); // opening the store quarantines the torn bytes
    expect(warm.store.health().quarantinedLines).toBe(1);
    expect(warm.loaded).toMatchObject({ snapshotRows: BEFORE.length, tailRows: AFTER.length });
    expect(await answers(warm.backend)).toEqual(await answers(await coldBackend(dir)));
  });

  it.each([
    ['truncated', (b: Buffer) => b.subarray(0, b.length - 5000), /checksum/],
    [
      'corrupt',
      (b: Buffer) => Buffer.concat([b.subarray(0, 4000), Buffer.from('x'), b.subarray(4001)]),
      /checksum/,
    ],
    ['not a snapshot at all', () => Buffer.from('hello'), /not a snapshot/],
    ['of an older format', (b: Buffer) => reheader(b, (h) => (h.format = 0)), /format 0/],
  ])('falls back to the full load, with one log line, when the snapshot is %s', async (_name, spoil, why) => {
    const dir = await dataDir();
    await snapshotOfBefore(dir);
    const { store, snapshots } = await open(dir);
    await store.append(AFTER);
    await store.close();
    await writeFile(snapshots.path, spoil(await readFile(snapshots.path)));

    const warm = await warmBackend(dir);
    expect(warm.loaded).toBeNull();
    expect(warm.logs).toHaveLength(1);
    expect(warm.logs[0]).toMatch(/not using the snapshot/);
    expect(warm.logs[0]).toMatch(why);
    expect(warm.backend.status()).toMatchObject({ ready: true, rows: ALL.length });
    expect(await answers(warm.backend)).toEqual(await answers(await coldBackend(dir)));
  });

  it('falls back when a day file was rewritten after the snapshot', async () => {
    const dir = await dataDir();
    await snapshotOfBefore(dir);
    // A rewrite by another tool: same bytes, new file (as erasure's temp + rename makes).
    const path = kindFile(dir, utcDay(SPLIT), 'pageview');
    const bytes = await readFile(path);
    await writeFile(`${path}.new`, bytes);
    const { rename } = await import('node:fs/promises');
    await rename(`${path}.new`, path);

    const warm = await warmBackend(dir);
    expect(warm.loaded).toBeNull();
    expect(warm.logs[0]).toMatch(/rewritten/);
    expect(warm.backend.status()).toMatchObject({ ready: true, rows: BEFORE.length });
  });

  it('erasing a user deletes the snapshot first, and holds new ones back until released', async () => {
    const dir = await dataDir();
    await snapshotOfBefore(dir);
    const { store, snapshots } = await open(dir);
    const backend = new MemoryBackend(fixedClock(NOW));
    await backend.load(store);
    const user = BEFORE.find((r) => r.user !== '')!.user;
    expect(await store.eraseUser(user)).toBeGreaterThan(0);
    expect(existsSync(snapshots.path)).toBe(false);
    // The index still holds the user until it drops them: no snapshot may be taken of it.
    expect(await snapshots.write(backend.index, store)).toBeNull();
    backend.retain((r) => r.user !== user);
    snapshots.release();
    expect(await snapshots.write(backend.index, store)).not.toBeNull();
    await store.close();

    const warm = await warmBackend(dir);
    expect(warm.loaded).not.toBeNull();
    expect((await answers(warm.backend)).users.users.map((u) => u.user_id)).not.toContain(user);
  });
});

describe('the collector with index snapshots', () => {
  const TOKEN = 'admin-token-0123456789abcdef';
  const auth = { authorization: `Bearer ${TOKEN}` };
  const base = { s: 'example.com', u: 'https://example.com/photos' };

  async function start(dir: string, clock: ReturnType<typeof fixedClock>) {
    const config = loadConfig({
      ANALYTICS_DATA_DIR: dir,
      ANALYTICS_ADMIN_TOKEN: TOKEN,
      ANALYTICS_TRUST_PROXY: '1',
      ANALYTICS_RATE_LIMIT: '0',
    });
    const collector = await createCollector({ config, clock });
    await collector.queryReady;
    return collector;
  }
  const userIds = async (collector: Awaited<ReturnType<typeof start>>) =>
    (await collector.query.users({ days: 7 })).users.map((u) => u.user_id).sort();

  it('an erased user stays gone after restarts, with and without a graceful stop', async () => {
    const dir = await dataDir();
    const clock = fixedClock(NOW);
    const first = await start(dir, clock);
    for (const i of ['erase-me', 'keep-me']) {
      const res = await postEvent(first, [
        { ...base, k: 'p', i },
        { ...base, k: 'a', n: 'photo_processed', p: { processed_count: 3 }, i },
      ]);
      expect(res.status).toBe(202);
    }
    clock.advance(1000); // a restart reads what was stored before its start
    await first.close();
    const snapshot = new IndexSnapshots(dir, clock).path;
    expect(existsSync(snapshot)).toBe(true);

    const second = await start(dir, clock);
    expect(await userIds(second)).toEqual(['erase-me', 'keep-me']);
    const erased = await second.app.request('/api/analytics/user/erase-me', {
      method: 'DELETE',
      headers: auth,
    });
    expect(await erased.json()).toEqual({ erased: 2 });
    expect(existsSync(snapshot)).toBe(false);
    expect(await userIds(second)).toEqual(['keep-me']);

    // A crash now (no close): the next start has no snapshot and reads the rewritten files.
    const third = await start(dir, clock);
    expect(await userIds(third)).toEqual(['keep-me']);
    await third.close();
    await second.close();
    expect(existsSync(snapshot)).toBe(true);

    const fourth = await start(dir, clock);
    cleanups.push(() => fourth.close());
    expect(await userIds(fourth)).toEqual(['keep-me']);
    expect(await readFile(snapshot, 'latin1')).not.toContain('erase-me');
  });
});

describe('when snapshots are written', () => {
  it('after a full load, then once enough rows arrived or enough time passed with new ones', async () => {
    const dir = await dataDir();
    const { store, snapshots, clock } = await open(dir);
    await store.append(BEFORE);
    const lines: string[] = [];
    const schedule = new SnapshotSchedule({
      snapshots,
      source: store,
      clock,
      rows: 100,
      everyMs: 600_000,
      log: (l) => lines.push(l),
    });
    const backend = new MemoryBackend(clock, schedule.warmStart);
    schedule.start(backend);
    expect(await schedule.tick()).toBeNull(); // not loaded yet
    await backend.load(store);
    // No snapshot on disk yet: the first check writes one.
    expect(await schedule.tick()).toMatchObject({ rows: BEFORE.length });
    expect(lines.at(-1)).toMatch(/snapshot of \d+ rows written/);
    expect(await schedule.tick()).toBeNull(); // nothing new

    const add = async (records: StoredRecord[]) => {
      await store.append(records);
      backend.add(records);
    };
    await add(AFTER.slice(0, 99));
    expect(await schedule.tick()).toBeNull(); // 99 < 100 rows, 0 min
    await add(AFTER.slice(99, 100));
    expect(await schedule.tick()).toMatchObject({ rows: BEFORE.length + 100 });
    await add(AFTER.slice(100, 101));
    clock.advance(599_000);
    expect(await schedule.tick()).toBeNull();
    clock.advance(1_000);
    expect(await schedule.tick()).toMatchObject({ rows: BEFORE.length + 101 });
    // A graceful close writes only when something changed since.
    expect(await schedule.close()).toBeNull();
  });

  it('never with ANALYTICS_SNAPSHOT_ROWS=0, which the configuration checks', async () => {
    const dir = await dataDir();
    expect(() => loadConfig({ ANALYTICS_SNAPSHOT_ROWS: 'lots' })).toThrow(/ANALYTICS_SNAPSHOT_ROWS/);
    const config = loadConfig({ ANALYTICS_DATA_DIR: dir, ANALYTICS_SNAPSHOT_ROWS: '0' });
    const collector = await createCollector({ config, clock: fixedClock(NOW) });
    await collector.queryReady;
    expect((await postEvent(collector, { s: 'example.com', u: 'https://example.com/', k: 'p' })).status).toBe(
      202,
    );
    await collector.close();
    expect(existsSync(new IndexSnapshots(dir, fixedClock(NOW)).path)).toBe(false);
  });
});
