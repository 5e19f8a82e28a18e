import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, gzipSync, constants as zlib } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../collector/config.ts';
import { createCollector, type Collector } from '../../server/collector.ts';
import { dayDir, kindFile, quarantineDir, utcDay } from '../../storage/day-files.ts';
import { readLines } from '../../storage/line-reader.ts';
import { emptyRecord, parseRecordLine, serializeRecord, type StoredRecord } from '../../storage/schema.ts';
import { MemoryBackend } from '../../query/memory/backend.ts';
import { MemoryIndex } from '../../query/memory/index.ts';
import { decodeSnapshot, encodeSnapshot, viewColumns } from '../../query/memory/snapshot/snapshot-format.ts';
import type { EventStore } from '../../storage/types.ts';
import { fixedClock, postEvent, tempDir } from '../support/helpers.ts';
import { startServer, type RunningServer } from '../support/server-process.ts';

const TOKEN = 'admin-token-0123456789abcdef';
const auth = { authorization: `Bearer ${TOKEN}` };
const DAY = 86_400_000;
const T0 = Date.parse('2026-11-20T10:00:00Z');
/** closed (gzipped) days before T0's day, and the day that gets spoilt */
const CLOSED = [4, 3, 2, 1].map((n) => T0 - n * DAY);
const BAD_DAY = utcDay(CLOSED[1]!);
const PER_DAY = 3000;

const cleanups: (() => Promise<void>)[] = [];
const running: RunningServer[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop('SIGKILL');
  for (const c of cleanups.splice(0)) await c();
});

/** PER_DAY page views per day; every 10th belongs to user "alice", the rest to "bob-<i>". */
function dayRecords(dayTs: number): StoredRecord[] {
  return Array.from({ length: PER_DAY }, (_, i) => {
    const r = emptyRecord('pageview', dayTs - 3 * 3_600_000 + i * 1000, 'example.com');
    r.user = i % 10 === 0 ? 'alice' : `bob-${i}`;
    r.path = `/page-${i}-${'x'.repeat(i % 40)}`;
    r.visitor = `v${i % 97}`;
    r.session = `s${i % 301}`;
    return r;
  });
}

const text = (records: StoredRecord[]) => records.map((r) => serializeRecord(r) + '\n').join('');

/** A data dir with four gzipped closed days and today's plain file, as a collector leaves it. */
async function dataDir(): Promise<string> {
  const { dir, cleanup } = await tempDir('cfa-corrupt-');
  cleanups.push(cleanup);
  for (const ts of [...CLOSED, T0]) {
    await mkdir(dayDir(dir, utcDay(ts)), { recursive: true });
    const body = text(dayRecords(ts));
    if (ts === T0) await writeFile(kindFile(dir, utcDay(ts), 'pageview'), body);
    else await writeFile(kindFile(dir, utcDay(ts), 'pageview', true), gzipSync(body));
  }
  return dir;
}

/** How many complete lines of a damaged gzip any reader can still get (zlib, not our reader). */
function readableLines(gz: Buffer): number {
  let out: Buffer;
  try {
    out = gunzipSync(gz, { finishFlush: zlib.Z_SYNC_FLUSH });
  } catch {
    return 0;
  }
  return out.toString('utf8').split('\n').length - 1;
}

type Spoil = (path: string) => Promise<number>;
/** Each spoils BAD_DAY's gzip and resolves with how many of its lines stay readable. */
const SPOILS: [string, Spoil][] = [
  [
    'truncated to half',
    async (path) => {
      const half = (await readFile(path)).subarray(0, (await stat(path)).size >> 1);
      await writeFile(path, half);
      return readableLines(half);
    },
  ],
  [
    'random bytes',
    async (path) => {
      await writeFile(path, randomBytes(5000));
      return 0;
    },
  ],
  [
    'a directory in its place',
    async (path) => {
      await rm(path);
      await mkdir(join(path, 'inside'), { recursive: true });
      return 0;
    },
  ],
];

async function spoilt(spoil: Spoil): Promise<{ dir: string; kept: number; bad: string }> {
  const dir = await dataDir();
  const bad = kindFile(dir, BAD_DAY, 'pageview', true);
  const kept = await spoil(bad);
  return { dir, kept, bad };
}

async function collectorOn(dir: string, snapshotRows = '0'): Promise<Collector> {
  const config = loadConfig({
    ANALYTICS_DATA_DIR: dir,
    ANALYTICS_ADMIN_TOKEN: TOKEN,
    ANALYTICS_TRUST_PROXY: '1',
    ANALYTICS_RATE_LIMIT: '0',
    ANALYTICS_SNAPSHOT_ROWS: snapshotRows,
  });
  const collector = await createCollector({ config, clock: fixedClock(T0) });
  cleanups.unshift(() => collector.close());
  return collector;
}

async function health(collector: Collector) {
  return (await (
    await collector.app.request('/healthz', { headers: { authorization: `Bearer ${collector.adminToken}` } })
  ).json()) as {
    store: { quarantinedFiles: number };
    query_index: { ready: boolean; rows: number };
  };
}

async function pageviewsByDay(collector: Collector): Promise<Record<string, number>> {
  const res = await collector.app.request('/api/analytics/query', {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ metrics: ['pageviews'], dimensions: ['time:day'], date_range: '30d' }),
  });
  expect(res.status).toBe(200);
  const { results } = (await res.json()) as { results: { dimensions: string[]; metrics: number[] }[] };
  return Object.fromEntries(results.map((r) => [r.dimensions[0]!.slice(0, 10), r.metrics[0]!]));
}

describe.each(SPOILS)('a closed day file %s', (_name, spoil) => {
  it('is set aside with its readable lines kept, and every other day loads (ready, counted)', async () => {
    const { dir, kept, bad } = await spoilt(spoil);
    const collector = await collectorOn(dir);
    await collector.queryReady;

    const h = await health(collector);
    expect(h.query_index.ready).toBe(true);
    expect(h.store.quarantinedFiles).toBe(1);
    expect(h.query_index.rows).toBe(4 * PER_DAY + kept);
    const byDay = await pageviewsByDay(collector);
    for (const ts of [...CLOSED, T0]) {
      expect(byDay[utcDay(ts)] ?? 0, utcDay(ts)).toBe(utcDay(ts) === BAD_DAY ? kept : PER_DAY);
    }

    // The original is in the quarantine folder; what could be read is a readable file in its place.
    const aside = (await readdir(quarantineDir(dir))).filter((n) => n.endsWith('.unreadable'));
    expect(aside).toEqual([`${BAD_DAY}.pageview.jsonl.gz.${T0}.unreadable`]);
    if (kept > 0) {
      let lines = 0;
      for await (const line of readLines(bad)) lines += parseRecordLine(line) ? 1 : 0;
      expect(lines).toBe(kept);
    } else {
      expect(existsSync(bad)).toBe(false);
    }

    // New events are stored and shown (not buffered behind a load that never ends).
    expect(
      (await postEvent(collector, { s: 'example.com', k: 'p', u: 'https://example.com/new' })).status,
    ).toBe(202);
    expect((await pageviewsByDay(collector))[utcDay(T0)]).toBe(PER_DAY + 1);
  });

  it('erasure carries on past it and answers 207 naming the unreadable file; export says it is incomplete', async () => {
    const { dir } = await spoilt(spoil);
    const collector = await collectorOn(dir);
    await collector.queryReady;
    const aside = `quarantine/${BAD_DAY}.pageview.jsonl.gz.${T0}.unreadable`;

    const exported = await collector.app.request('/api/analytics/user/alice/export', { headers: auth });
    expect(exported.status).toBe(200);
    const body = (await exported.json()) as { records: StoredRecord[]; complete: boolean; skipped: string[] };
    expect(body.complete).toBe(false);
    expect(body.skipped).toEqual([aside]);
    const readable = (await health(collector)).query_index.rows;
    expect(body.records.length).toBe(Math.ceil(readable / 10));
    expect(body.records.every((r) => r.user === 'alice')).toBe(true);

    const erase = () =>
      collector.app.request('/api/analytics/user/alice', { method: 'DELETE', headers: auth });
    const first = await erase();
    expect(first.status).toBe(207);
    expect(await first.json()).toMatchObject({
      erased: body.records.length,
      complete: false,
      skipped: [aside],
    });
    // Every readable file is free of the user; the set-aside original is still reported each time.
    for (const ts of [...CLOSED, T0]) {
      const path = kindFile(dir, utcDay(ts), 'pageview', ts !== T0);
      if (!existsSync(path)) continue;
      for await (const line of readLines(path)) expect(line).not.toContain('"user":"alice"');
    }
    const again = await erase();
    expect(again.status).toBe(207);
    expect(await again.json()).toMatchObject({ erased: 0, skipped: [aside] });

    // Once an operator deals with the quarantined file, erasure and export are complete again.
    await rm(join(dir, aside), { recursive: true });
    const done = await erase();
    expect(done.status).toBe(200);
    expect(await done.json()).toEqual({ erased: 0 });
    const after = await (
      await collector.app.request('/api/analytics/user/alice/export', { headers: auth })
    ).json();
    expect(after).toEqual({ user: 'alice', records: [], complete: true });
  });
});

describe('an index snapshot next to a corrupt day file', () => {
  it.each([
    ['still valid', false],
    ['itself corrupt', true],
  ])(
    'is not trusted when %s: the index reloads from the files and sets the bad one aside',
    async (_n, spoilSnap) => {
      const dir = await dataDir();
      const first = await collectorOn(dir, '1000');
      await first.queryReady;
      await first.close(); // a graceful close writes the snapshot
      const snap = join(dir, 'index', 'columns.snap');
      expect(existsSync(snap)).toBe(true);
      if (spoilSnap) await writeFile(snap, randomBytes(4096));
      const bad = kindFile(dir, BAD_DAY, 'pageview', true);
      const kept = await SPOILS[0]![1](bad);

      const second = await collectorOn(dir, '1000');
      await second.queryReady;
      const h = await health(second);
      expect(h.query_index).toMatchObject({ ready: true, rows: 4 * PER_DAY + kept });
      expect(h.store.quarantinedFiles).toBe(1);
    },
  );
});

describe('an index snapshot of rows without props', () => {
  it('passes its own checksum (an empty section once zeroed the running CRC)', async () => {
    const index = new MemoryIndex();
    index.append(dayRecords(T0).slice(0, 3));
    index.ready();
    const decoded = decodeSnapshot(Buffer.concat(await encodeSnapshot(viewColumns(index.cols), [], T0)));
    expect(decoded.rows).toBe(3);
  });
});

describe('an erasure whose rewrite fails part-way', () => {
  it('answers 503 with Retry-After instead of 500, and a retry once the disk is fine completes it', async () => {
    const dir = await dataDir();
    const collector = await collectorOn(dir);
    await collector.queryReady;
    // The temporary file of the third day's rewrite cannot be created (a folder holds its name).
    const blocked = `${kindFile(dir, utcDay(CLOSED[2]!), 'pageview', true)}.rewrite.tmp`;
    await mkdir(blocked);
    const erase = () =>
      collector.app.request('/api/analytics/user/alice', { method: 'DELETE', headers: auth });
    const failed = await erase();
    expect(failed.status).toBe(503);
    expect(failed.headers.get('retry-after')).toBe('5');
    expect((await health(collector)).store).toMatchObject({
      lastWriteError: expect.stringMatching(/EISDIR/),
    });
    await rm(blocked, { recursive: true });
    const done = await erase();
    expect(done.status).toBe(200);
    // The first attempt erased the two days before the blocked one.
    expect(await done.json()).toEqual({ erased: 3 * (PER_DAY / 10) });
  });
});

describe('an erasure that meets an unreadable file first', () => {
  it('sets it aside itself before the index load ever read it', async () => {
    const { dir } = await spoilt(SPOILS[0]![1]);
    // No collector: the offline store of `cfa erase-user --offline` meets the file first.
    const { JsonlStore } = await import('../../storage/jsonl-store.ts');
    const store = await JsonlStore.open({ dataDir: dir, compressEveryMs: 0, clock: () => T0 });
    try {
      expect(await store.eraseUser('alice')).toBeGreaterThan(4 * (PER_DAY / 10) - 1);
      expect(await store.unreadableFiles()).toEqual([
        `quarantine/${BAD_DAY}.pageview.jsonl.gz.${T0}.unreadable`,
      ]);
      expect(store.health().quarantinedFiles).toBe(1);
    } finally {
      await store.close();
    }
  });
});

describe('export of a user when reading fails part-way for another reason', () => {
  it('ends the JSON with "complete": false and an error instead of cutting the body', async () => {
    const { dir } = await tempDir();
    cleanups.push(async () => rm(dir, { recursive: true, force: true }));
    const failing: EventStore = {
      append: async () => undefined,
      scan: async function* () {},
      health: () => ({ backend: 'test', written: 0, quarantinedLines: 0, lastWriteError: null }),
      eraseUser: async () => 0,
      exportUser: async function* () {
        yield emptyRecord('pageview', T0, 'example.com');
        throw Object.assign(new Error('EMFILE: too many open files'), { code: 'EMFILE' });
      },
      purgeBefore: async () => 0,
      close: async () => undefined,
    };
    const config = loadConfig({ ANALYTICS_DATA_DIR: dir, ANALYTICS_ADMIN_TOKEN: TOKEN });
    const collector = await createCollector({ config, store: failing, clock: fixedClock(T0) });
    cleanups.unshift(() => collector.close());
    const res = await collector.app.request('/api/analytics/user/alice/export', { headers: auth });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { records: unknown[]; complete: boolean; error: string };
    expect(body.records).toHaveLength(1);
    expect(body.complete).toBe(false);
    expect(body.error).toMatch(/failed part-way/);
  });
});

describe('MemoryBackend after a failed load', () => {
  it('shows records stored after the failure instead of buffering them for ever', async () => {
    let fail!: (error: Error) => void;
    const failed = new Promise<never>((_resolve, reject) => (fail = reject));
    const store: EventStore = {
      append: async () => undefined,
      scan: async function* () {},
      scanBatches: async function* () {
        yield [emptyRecord('pageview', T0 - DAY, 'example.com')];
        await failed;
      },
      health: () => ({ backend: 'test', written: 0, quarantinedLines: 0, lastWriteError: null }),
      eraseUser: async () => 0,
      exportUser: async function* () {},
      purgeBefore: async () => 0,
      close: async () => undefined,
    };
    const backend = new MemoryBackend(fixedClock(T0));
    const loading = backend.load(store);
    backend.add([emptyRecord('pageview', T0 + 1, 'example.com')]);
    fail(new Error('disk gone'));
    await expect(loading).rejects.toThrow('disk gone');
    backend.add([emptyRecord('pageview', T0 + 2, 'example.com')]);
    expect(backend.index.length).toBe(3);
    expect(backend.status().ready).toBe(false);
  });
});

/** Runs the real `cfa` bin. */
function cfa(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const bin = join(import.meta.dirname, '..', '..', 'cli', 'cfa.mjs');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: { ...process.env, ANALYTICS_ADMIN_TOKEN: '', ANALYTICS_STORE: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe.each(SPOILS)('cfa stats and export with a day file %s', (_name, spoil) => {
  it('carry on past it, count what is readable and name the file they skipped', async () => {
    const { dir, kept, bad } = await spoilt(spoil);

    const stats = await cfa(['stats', '--json', '--data-dir', dir]);
    expect(stats.code).toBe(0);
    const { days, total } = JSON.parse(stats.stdout) as {
      days: { day: string; records: number }[];
      total: { records: number };
    };
    expect(days.map((d) => d.records)).toEqual([PER_DAY, kept, PER_DAY, PER_DAY, PER_DAY]);
    expect(total.records).toBe(4 * PER_DAY + kept);
    expect(stats.stderr).toContain(bad);

    const exported = await cfa(['export', '--data-dir', dir]);
    expect(exported.code).toBe(0);
    const lines = exported.stdout.trim().split('\n');
    expect(lines).toHaveLength(4 * PER_DAY + kept);
    expect(lines.every((l) => parseRecordLine(l) !== null)).toBe(true);
    expect(exported.stderr).toContain(bad);
    // The CLI only reads: the file is where it was, for the collector to set aside.
    expect(existsSync(bad)).toBe(true);
  }, 30_000);
});

describe('cfa erase-user --offline with an unreadable day file', () => {
  it('erases what it can read, names the file it could not search and exits 1', async () => {
    const { dir } = await spoilt(SPOILS[1]![1]);
    const run = await cfa(['erase-user', 'alice', '--offline', '--data-dir', dir]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/erased 1200 record\(s\)/);
    expect(run.stderr).toMatch(/Not complete: 1 unreadable file\(s\)/);
    expect(run.stderr).toContain(`quarantine/${BAD_DAY}.pageview.jsonl.gz.`);
  }, 30_000);
});

describe('the bundled server with a corrupt day file', () => {
  it('becomes ready, counts the set-aside file in /healthz and shows new events', async () => {
    const { dir, kept } = await spoilt(SPOILS[0]![1]);
    const server = await startServer(
      { ANALYTICS_DATA_DIR: dir, ANALYTICS_ADMIN_TOKEN: TOKEN, ANALYTICS_TRUST_PROXY: '1' },
      { bundle: true },
    );
    running.push(server);
    type Health = { query_index: { ready: boolean; rows: number }; store: { quarantinedFiles: number } };
    let h: Health | null = null;
    for (let i = 0; i < 400 && !h?.query_index.ready; i++) {
      h = (await (
        await fetch(`${server.url}/healthz`, { headers: { authorization: `Bearer ${TOKEN}` } })
      ).json()) as Health;
      if (!h.query_index.ready) await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(h!.query_index.ready).toBe(true);
    expect(h!.store.quarantinedFiles).toBe(1);
    // The fixture's days are in the past for the real clock; only what loaded counts here.
    expect(h!.query_index.rows).toBe(4 * PER_DAY + kept);

    const sent = await fetch(`${server.url}/api/event`, {
      method: 'POST',
      headers: {
        'content-type': 'text/plain',
        'user-agent':
          'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
        'x-forwarded-for': '81.2.69.160',
      },
      body: JSON.stringify({ s: 'example.com', k: 'p', u: 'https://example.com/after' }),
    });
    expect(sent.status).toBe(202);
    const realtime = (await (
      await fetch(`${server.url}/api/analytics/realtime`, { headers: auth })
    ).json()) as { events: { path: string }[] };
    expect(realtime.events.map((e) => e.path)).toContain('/after');
    expect(server.output()).toMatch(/could not be read to its end/);
  }, 60_000);
});
