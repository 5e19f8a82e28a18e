import { readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileSettingsStore, SETTINGS_FILE } from '../../../storage/settings/file-settings-store.ts';
import { SettingsError } from '../../../storage/settings/settings-store.ts';
import { tempDir } from '../../support/helpers.ts';
import { settingsContract } from '../../support/settings-contract.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});
async function freshDir(): Promise<string> {
  const { dir, cleanup } = await tempDir();
  cleanups.push(cleanup);
  return dir;
}

describe('file settings store: the shared contract', () => {
  settingsContract(async () => {
    const dir = await freshDir();
    const a = new FileSettingsStore(dir);
    const b = new FileSettingsStore(dir);
    return {
      a,
      b,
      settle: async () => undefined,
      close: async () => void (await Promise.all([a.close(), b.close()])),
    };
  });
});

describe('file settings store: the file', () => {
  it('is written atomically with mode 0600, leaving no temporary or lock file behind', async () => {
    const dir = await freshDir();
    const store = new FileSettingsStore(dir);
    await store.put({ kind: 'goal', id: 'g', site: 's', body: { page: '/x' } });
    expect(await readdir(dir)).toEqual([SETTINGS_FILE]);
    expect((await stat(join(dir, SETTINGS_FILE))).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(await readFile(join(dir, SETTINGS_FILE), 'utf8'));
    expect(saved).toMatchObject({
      format: 1,
      docs: [{ kind: 'goal', id: 'g', site: 's', body: { page: '/x' } }],
    });
  });

  it('names a damaged file instead of treating it as empty, and writes nothing over it', async () => {
    const dir = await freshDir();
    await writeFile(join(dir, SETTINGS_FILE), '{"docs": [trunc');
    const store = new FileSettingsStore(dir);
    await expect(store.list('account')).rejects.toThrow(/settings\.json is not valid JSON/);
    await expect(store.put({ kind: 'account', id: 'x', site: null, body: 1 })).rejects.toBeInstanceOf(
      SettingsError,
    );
    expect(await readFile(join(dir, SETTINGS_FILE), 'utf8')).toBe('{"docs": [trunc');
  });

  it('takes over a lock left by a writer that died, and waits for a live one', async () => {
    const dir = await freshDir();
    const lock = join(dir, `${SETTINGS_FILE}.lock`);
    await writeFile(lock, '99999');
    const old = new Date(Date.now() - 60_000);
    await utimes(lock, old, old);
    const store = new FileSettingsStore(dir);
    await store.put({ kind: 'goal', id: 'after-stale', site: null, body: 1 });
    expect(await store.get('goal', 'after-stale')).not.toBeNull();

    await writeFile(lock, '99999');
    const waiting = new FileSettingsStore(dir, { lockWaitMs: 200 });
    await expect(waiting.put({ kind: 'goal', id: 'blocked', site: null, body: 1 })).rejects.toThrow(/locked/);
  });
});
