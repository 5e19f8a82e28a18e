import { readFile, readdir, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { eventsDir, kindFile, quarantineDir } from '../../storage/day-files.ts';
import { JsonlStore } from '../../storage/jsonl-store.ts';
import { retentionCutoff } from '../../storage/retention.ts';
import { emptyRecord, parseRecordLine, type StoredRecord } from '../../storage/schema.ts';
import { fixedClock, tempDir } from '../support/helpers.ts';

const DAY = 86_400_000;
const T0 = Date.parse('2026-11-20T10:00:00Z');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function openStore(now = T0) {
  const { dir, cleanup } = await tempDir();
  const clock = fixedClock(now);
  const store = await JsonlStore.open({ dataDir: dir, clock, compressEveryMs: 0 });
  cleanups.push(async () => {
    await store.close();
    await cleanup();
  });
  return { dir, store, clock };
}

function record(
  ts: number,
  user: string,
  path = '/p',
  kind: StoredRecord['kind'] = 'pageview',
): StoredRecord {
  const r = emptyRecord(kind, ts, 'example.com');
  r.user = user;
  r.path = path;
  r.visitor = 'abcdef0123456789';
  if (kind === 'action') {
    r.name = 'photo_processed';
    r.props = { user: 'alice@example.com' }; // a prop that looks like the id must not count as the id
  }
  return r;
}

/** Every byte under the data dir as text, gzipped files unpacked, so a grep sees what a disk read would. */
async function everyFileText(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const raw = await readFile(path);
    out.set(path, (path.endsWith('.gz') ? gunzipSync(raw) : raw).toString('latin1'));
  }
  return out;
}

async function all(store: JsonlStore): Promise<StoredRecord[]> {
  const out: StoredRecord[] = [];
  for await (const r of store.scan()) out.push(r);
  return out;
}

describe('erasure in the JSON Lines store', () => {
  it('removes every record of one user from plain and gzipped days, leaves the rest, and the id is nowhere on disk', async () => {
    const { dir, store, clock } = await openStore();
    const victim = 'alice@example.com';
    await store.append([
      record(T0 - 3 * DAY, victim),
      record(T0 - 3 * DAY + 1, 'bob'),
      record(T0 - 3 * DAY + 2, victim, '/x', 'action'),
      record(T0, victim),
      record(T0 + 1, 'bob', '/keep'),
      record(T0 + 2, '', '/anonymous', 'action'),
    ]);
    // Close the old day so it is gzipped: erasure must rewrite .gz files as well.
    clock.set(T0);
    expect(await store.compressNow()).toBeGreaterThan(0);
    expect((await readdir(join(eventsDir(dir), '2026-11-17'))).every((n) => n.endsWith('.gz'))).toBe(true);
    // A torn fragment naming the user sits in quarantine too.
    await mkdir(quarantineDir(dir), { recursive: true });
    await writeFile(
      join(quarantineDir(dir), '2026-11-20.pageview.jsonl.1.torn'),
      `{"ts":1,"user":"${victim}","pa`,
    );

    expect(await store.eraseUser(victim)).toBe(3);

    const left = await all(store);
    expect(left.map((r) => [r.user, r.path])).toEqual([
      ['bob', '/p'],
      ['bob', '/keep'],
      ['', '/anonymous'],
    ]);
    for (const [path, text] of await everyFileText(dir)) {
      if (path.endsWith('.torn')) expect(text).not.toContain(victim);
      else
        for (const line of text.split('\n').filter(Boolean))
          expect(parseRecordLine(line)?.user).not.toBe(victim);
    }
    // The action's prop held the same string: only the user field decides.
    expect(left.find((r) => r.kind === 'action')).toBeDefined();
    expect(await store.eraseUser(victim)).toBe(0);
  });

  it('loses no append that arrives while a file is being rewritten', async () => {
    const { store } = await openStore();
    const seed: StoredRecord[] = [];
    for (let i = 0; i < 2000; i++) seed.push(record(T0 + i, i % 2 ? 'erase-me' : 'keep', `/seed/${i}`));
    await store.append(seed);
    const appends: Promise<void>[] = [];
    const erasing = store.eraseUser('erase-me');
    for (let i = 0; i < 200; i++) appends.push(store.append([record(T0 + 5000 + i, 'late', `/late/${i}`)]));
    expect(await erasing).toBe(1000);
    await Promise.all(appends);
    const left = await all(store);
    expect(left.filter((r) => r.user === 'late')).toHaveLength(200);
    expect(left.filter((r) => r.user === 'keep')).toHaveLength(1000);
    expect(left.filter((r) => r.user === 'erase-me')).toHaveLength(0);
  });

  it('refuses an empty user id, which would mean every anonymous record', async () => {
    const { store } = await openStore();
    await store.append([record(T0, '')]);
    await expect(store.eraseUser('')).rejects.toThrow('non-empty user id');
    expect(await all(store)).toHaveLength(1);
  });

  it('exports exactly the records of one user, oldest first', async () => {
    const { store } = await openStore();
    await store.append([record(T0 + DAY, 'u1', '/b'), record(T0, 'u1', '/a'), record(T0, 'u2', '/c')]);
    const out: string[] = [];
    for await (const r of store.exportUser('u1')) out.push(r.path);
    expect(out).toEqual(['/a', '/b']);
  });
});

describe('retention in the JSON Lines store', () => {
  it('keeps today and the N whole days before it', () => {
    expect(retentionCutoff(Date.parse('2026-11-27T15:00:00Z'), 30)).toBe('2026-10-28');
    expect(retentionCutoff(Date.parse('2026-11-27T00:00:00Z'), 1)).toBe('2026-11-26');
  });

  it('removes whole days before the cutoff, their quarantined lines and leftovers of an interrupted purge', async () => {
    const { dir, store } = await openStore();
    await store.append([record(T0 - 2 * DAY, 'a'), record(T0 - DAY, 'b'), record(T0, 'c')]);
    await mkdir(quarantineDir(dir), { recursive: true });
    await writeFile(join(quarantineDir(dir), '2026-11-18.pageview.jsonl.1.torn'), 'x');
    await writeFile(join(quarantineDir(dir), '2026-11-20.pageview.jsonl.1.torn'), 'y');
    await mkdir(join(eventsDir(dir), '.purge-2026-11-01'), { recursive: true });

    expect(await store.purgeBefore('2026-11-19')).toBe(1);
    expect((await readdir(eventsDir(dir))).sort()).toEqual(['2026-11-19', '2026-11-20']);
    expect(await readdir(quarantineDir(dir))).toEqual(['2026-11-20.pageview.jsonl.1.torn']);
    expect((await all(store)).map((r) => r.user)).toEqual(['b', 'c']);
    // Writing to a kept day still works after its neighbours were removed.
    await store.append([record(T0 + 1, 'd')]);
    expect((await readFile(kindFile(dir, '2026-11-20', 'pageview'), 'utf8')).trim().split('\n')).toHaveLength(
      2,
    );
  });
});
