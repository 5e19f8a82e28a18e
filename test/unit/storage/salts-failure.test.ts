import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../../collector/config.ts';
import { createCollector } from '../../../server/collector.ts';
import { FileSaltStore, type SaltWriter } from '../../../storage/salts.ts';
import { StoreUnavailableError } from '../../../storage/types.ts';
import { fixedClock, postEvent, tempDir } from '../../support/helpers.ts';

const T0 = Date.parse('2026-11-20T10:00:00Z');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const c of cleanups.splice(0)) await c();
});

async function dir(): Promise<string> {
  const made = await tempDir();
  cleanups.push(made.cleanup);
  return made.dir;
}

/** A writer that fails like a full disk: the file is created, then the write fails. */
function diskFull(state: { full: boolean }): SaltWriter {
  return async (path, salt) => {
    await writeFile(path, '', { mode: 0o600, flag: 'wx' });
    if (state.full)
      throw Object.assign(new Error(`ENOSPC: no space left on device, write`), { code: 'ENOSPC' });
    await writeFile(path, salt);
  };
}

describe('FileSaltStore on a full disk', () => {
  it('rejects with StoreUnavailableError, leaves no temporary file, logs once and recovers', async () => {
    const data = await dir();
    const state = { full: true };
    const logs: string[] = [];
    const salts = new FileSaltStore(data, diskFull(state), (line) => logs.push(line));
    for (let i = 0; i < 5; i++) await expect(salts.saltFor(T0)).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(await readdir(join(data, 'salts'))).toEqual([]);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/ENOSPC/);
    expect(salts.lastError()).toMatch(/ENOSPC/);

    state.full = false;
    const salt = await salts.saltFor(T0);
    expect(salt).toHaveLength(32);
    expect(await readdir(join(data, 'salts'))).toEqual(['2026-11-20']);
    expect(salts.lastError()).toBeNull();
    expect(logs).toHaveLength(2);
  });

  it.each([
    ['empty', Buffer.alloc(0)],
    ['torn', Buffer.alloc(10, 7)],
  ])('never uses an %s salt file: it is replaced by a whole one', async (_name, bytes) => {
    const data = await dir();
    await mkdir(join(data, 'salts'));
    await writeFile(join(data, 'salts', '2026-11-20'), bytes);
    const salt = await new FileSaltStore(data).saltFor(T0);
    expect(salt).toHaveLength(32);
    expect(await readFile(join(data, 'salts', '2026-11-20'))).toEqual(salt);
    // A second instance agrees on the replacement.
    expect((await new FileSaltStore(data).saltFor(T0)).equals(salt)).toBe(true);
    expect(await readdir(join(data, 'salts'))).toEqual(['2026-11-20']);
  });
});

describe('ingest without a salt', () => {
  it('answers 503 with Retry-After, counts the drops and shows the error in /healthz, without a stack per request', async () => {
    const data = await dir();
    // The salts folder cannot be made (a regular file holds its name): as root, no mode stops a write.
    await writeFile(join(data, 'salts'), 'not a folder');
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const collector = await createCollector({
      config: loadConfig({ ANALYTICS_DATA_DIR: data, ANALYTICS_RATE_LIMIT: '0', ANALYTICS_TRUST_PROXY: '1' }),
      clock: fixedClock(T0),
    });
    cleanups.unshift(() => collector.close());
    for (let i = 0; i < 3; i++) {
      const res = await postEvent(collector, [
        { s: 'example.com', k: 'p', u: 'https://example.com/' },
        { s: 'example.com', k: 'p', u: 'https://example.com/b' },
      ]);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
    }
    const health = (await (
      await collector.app.request('/healthz', {
        headers: { authorization: `Bearer ${collector.adminToken}` },
      })
    ).json()) as {
      drops: Record<string, number>;
      store: { lastWriteError: string | null };
    };
    expect(health.drops.unavailable).toBe(6);
    expect(health.store.lastWriteError).toMatch(/ENOTDIR|EEXIST/);
    const logged = errors.mock.calls.map((c) => String(c[0]));
    expect(logged.filter((l) => l.includes('salt'))).toHaveLength(1);
    expect(logged.filter((l) => /\n\s+at /.test(l))).toEqual([]);
  });
});
