import { readFile, readdir, writeFile, appendFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { kindFile } from '../../../storage/day-files.ts';
import { JsonlStore } from '../../../storage/jsonl-store.ts';
import { emptyRecord, type StoredRecord } from '../../../storage/schema.ts';
import { fixedClock, tempDir } from '../../support/helpers.ts';

const T0 = Date.parse('2026-11-20T10:00:00Z');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function openStore(clock = fixedClock(T0)) {
  const { dir, cleanup } = await tempDir();
  const store = await JsonlStore.open({ dataDir: dir, clock, compressEveryMs: 0 });
  cleanups.push(async () => {
    await store.close();
    await cleanup();
  });
  return { dir, store, clock };
}

function pageview(ts: number, path: string): StoredRecord {
  const r = emptyRecord('pageview', ts, 'example.com');
  r.path = path;
  r.visitor = 'v1';
  return r;
}

async function collect(store: JsonlStore, range = {}) {
  const out: StoredRecord[] = [];
  for await (const r of store.scan(range)) out.push(r);
  return out;
}

describe('JsonlStore', () => {
  it('writes one file per kind per UTC day and reads every record back', async () => {
    const { dir, store } = await openStore();
    const action = emptyRecord('action', T0 + 1, 'example.com');
    action.name = 'photo_processed';
    action.props = { processed_count: 150 };
    await store.append([pageview(T0, '/a'), action, pageview(T0 + 86_400_000, '/next-day')]);
    expect(await readdir(join(dir, 'events'))).toEqual(['2026-11-20', '2026-11-21']);
    expect((await readFile(kindFile(dir, '2026-11-20', 'action'), 'utf8')).trim()).toBe(
      `{"ts":${T0 + 1},"kind":"action","site":"example.com","name":"photo_processed","props":{"processed_count":150}}`,
    );
    const all = await collect(store);
    expect(all.map((r) => r.path || r.name)).toEqual(['/a', 'photo_processed', '/next-day']);
    expect(all[1]).toEqual(action);
  });

  it('filters a scan by time range, end exclusive', async () => {
    const { store } = await openStore();
    await store.append([pageview(T0, '/a'), pageview(T0 + 1000, '/b'), pageview(T0 + 2000, '/c')]);
    expect((await collect(store, { from: T0 + 1000, to: T0 + 2000 })).map((r) => r.path)).toEqual(['/b']);
  });

  it('batches concurrent appends into one group commit and acknowledges each', async () => {
    const { dir, store } = await openStore();
    await Promise.all(Array.from({ length: 200 }, (_, i) => store.append([pageview(T0 + i, `/p${i}`)])));
    const lines = (await readFile(kindFile(dir, '2026-11-20', 'pageview'), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(200);
    expect(store.health().written).toBe(200);
  });

  it('sets a torn last line aside at start-up and keeps every complete line', async () => {
    const { dir, store } = await openStore();
    await store.append([pageview(T0, '/a'), pageview(T0 + 1, '/b')]);
    await store.close();
    const file = kindFile(dir, '2026-11-20', 'pageview');
    await appendFile(file, '{"ts":1,"kind":"pagev'); // crash mid-write
    const reopened = await JsonlStore.open({ dataDir: dir, clock: fixedClock(T0), compressEveryMs: 0 });
    cleanups.push(() => reopened.close());
    expect(reopened.health().quarantinedLines).toBe(1);
    expect((await collect(reopened)).map((r) => r.path)).toEqual(['/a', '/b']);
    const quarantined = await readdir(join(dir, 'quarantine'));
    expect(quarantined).toHaveLength(1);
    expect(await readFile(join(dir, 'quarantine', quarantined[0]!), 'utf8')).toBe('{"ts":1,"kind":"pagev');
    await reopened.append([pageview(T0 + 3, '/c')]);
    expect((await collect(reopened)).map((r) => r.path)).toEqual(['/a', '/b', '/c']);
  });

  it('skips and counts a corrupt line in the middle of a file', async () => {
    const { dir, store } = await openStore();
    await store.append([pageview(T0, '/a')]);
    await appendFile(kindFile(dir, '2026-11-20', 'pageview'), 'not json\n{"ts":"bad"}\n');
    await store.append([pageview(T0 + 1, '/b')]);
    expect((await collect(store)).map((r) => r.path)).toEqual(['/a', '/b']);
    expect(store.health().quarantinedLines).toBe(2);
  });

  it('gzips closed days and keeps them readable, leaving today plain', async () => {
    const clock = fixedClock(Date.parse('2026-11-22T12:00:00Z'));
    const { dir, store } = await openStore(clock);
    const records = Array.from({ length: 500 }, (_, i) => pageview(T0 + i * 1000, `/page/${i % 7}`));
    await store.append([...records, pageview(clock(), '/today')]);
    const plainSize = (await stat(kindFile(dir, '2026-11-20', 'pageview'))).size;
    expect(await store.compressNow()).toBe(1);
    expect(await readdir(join(dir, 'events', '2026-11-20'))).toEqual(['pageview.jsonl.gz']);
    expect(await readdir(join(dir, 'events', '2026-11-22'))).toEqual(['pageview.jsonl']);
    const gzSize = (await stat(kindFile(dir, '2026-11-20', 'pageview', true))).size;
    expect(gzSize).toBeLessThan(plainSize / 5);
    const all = await collect(store);
    expect(all).toHaveLength(501);
    expect(all[0]).toEqual(records[0]);
  });

  it('prefers the .gz when a crash left both copies of a closed day', async () => {
    const clock = fixedClock(Date.parse('2026-11-22T12:00:00Z'));
    const { dir, store } = await openStore(clock);
    await store.append([pageview(T0, '/a')]);
    const plain = await readFile(kindFile(dir, '2026-11-20', 'pageview'));
    await store.compressNow();
    await writeFile(kindFile(dir, '2026-11-20', 'pageview'), plain);
    expect((await collect(store)).map((r) => r.path)).toEqual(['/a']);
    await store.compressNow();
    expect(await readdir(join(dir, 'events', '2026-11-20'))).toEqual(['pageview.jsonl.gz']);
  });

  it('rejects appends after close', async () => {
    const { store } = await openStore();
    await store.close();
    await expect(store.append([pageview(T0, '/a')])).rejects.toThrow('store is closed');
  });
});
