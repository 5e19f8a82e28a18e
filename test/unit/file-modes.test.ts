import { spawnSync } from 'node:child_process';
import { appendFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../collector/config.ts';
import { createCollector } from '../../server/collector.ts';
import { kindFile, utcDay } from '../../storage/day-files.ts';
import { JsonlStore } from '../../storage/jsonl-store.ts';
import { fixedClock, postEvent, tempDir } from '../support/helpers.ts';

const T0 = Date.parse('2026-11-20T10:00:00Z');
const DAY = 86_400_000;
const cleanups: (() => Promise<void>)[] = [];
let umask: number | null = null;
afterEach(async () => {
  if (umask !== null) process.umask(umask);
  umask = null;
  for (const c of cleanups.splice(0)) await c();
});

async function modes(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = { '.': ((await stat(root)).mode & 0o777).toString(8) };
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    out[path.slice(root.length + 1)] = ((await stat(path)).mode & 0o777).toString(8);
  }
  return out;
}

describe('file modes of the data dir', () => {
  it('are 0700 for folders and 0600 for files even with a umask of 000', async () => {
    // With umask 000 anything created without an explicit mode would be world-readable.
    umask = process.umask(0);
    const { dir: parent, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const dir = join(parent, 'data');
    const clock = fixedClock(T0 - DAY);
    const config = loadConfig({
      ANALYTICS_DATA_DIR: dir,
      ANALYTICS_TRUST_PROXY: '1',
      ANALYTICS_SNAPSHOT_ROWS: '1',
    });
    const collector = await createCollector({ config, clock });
    await collector.queryReady;
    for (const t of [T0 - DAY, T0]) {
      clock.set(t);
      expect(
        (await postEvent(collector, { s: 'example.com', k: 'p', u: 'https://example.com/', i: 'u1' })).status,
      ).toBe(202);
    }
    // Gzip yesterday, erase (rewrites both files), then close (writes the index snapshot).
    clock.set(T0 + 3_600_000);
    expect(await (collector.store as JsonlStore).compressNow()).toBe(1);
    const erased = await collector.app.request('/api/analytics/user/u1', {
      method: 'DELETE',
      headers: { authorization: `Bearer ${collector.adminToken}` },
    });
    expect(await erased.json()).toEqual({ erased: 2 });
    expect(
      (await postEvent(collector, { s: 'example.com', k: 'p', u: 'https://example.com/2' })).status,
    ).toBe(202);
    await collector.close();
    // A torn line, set aside into quarantine at the next open.
    await appendFile(kindFile(dir, utcDay(T0), 'pageview'), '{"ts":1,"kind":"pagev');
    await (await JsonlStore.open({ dataDir: dir, compressEveryMs: 0, clock })).close();

    const found = await modes(dir);
    expect(Object.keys(found)).toEqual(
      expect.arrayContaining([
        'admin-token',
        'events',
        `events/${utcDay(T0)}/pageview.jsonl`,
        `events/${utcDay(T0 - DAY)}/pageview.jsonl.gz`,
        'index/columns.snap',
        'quarantine',
        'salts',
      ]),
    );
    for (const [path, mode] of Object.entries(found)) {
      const isDir = (await stat(join(dir, path))).isDirectory();
      expect(mode, path).toBe(isDir ? '700' : '600');
    }

    // `cfa export --out` (the child inherits the umask of 000).
    const out = join(parent, 'export.jsonl');
    const bin = join(import.meta.dirname, '..', '..', 'cli', 'cfa.mjs');
    const run = spawnSync(process.execPath, [bin, 'export', '--data-dir', dir, '--out', out], {
      encoding: 'utf8',
    });
    expect(run.status, run.stderr).toBe(0);
    expect(((await stat(out)).mode & 0o777).toString(8)).toBe('600');
  });
});
