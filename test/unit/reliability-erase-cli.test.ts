import { execFile } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { JsonlStore } from '../../storage/jsonl-store.ts';
import { emptyRecord } from '../../storage/schema.ts';
import { CHROME_UA, tempDir } from '../support/helpers.ts';
import { startServer, type RunningServer } from '../support/server-process.ts';

const run = promisify(execFile);
const CFA = join(import.meta.dirname, '..', '..', 'cli', 'cfa.mjs');
const TOKEN = 'admin-token-0123456789abcdef';
const running: RunningServer[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop('SIGKILL');
  for (const c of cleanups.splice(0)) await c();
});

async function grep(dir: string, needle: string): Promise<number> {
  let hits = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && (await readFile(join(entry.parentPath, entry.name), 'latin1')).includes(needle))
      hits += 1;
  }
  return hits;
}

describe('cfa erase-user', () => {
  it('erases through the running collector by default', async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const server = await startServer({ ANALYTICS_DATA_DIR: dir, ANALYTICS_ADMIN_TOKEN: TOKEN });
    running.push(server);
    for (const i of ['erase.me@example.com', 'keep-me']) {
      const res = await fetch(`${server.url}/api/event`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', 'user-agent': CHROME_UA },
        body: JSON.stringify({ k: 'a', s: 'example.com', u: 'https://example.com/', n: 'signup', i }),
      });
      expect(res.status).toBe(202);
    }
    const { stdout } = await run(
      process.execPath,
      [CFA, 'erase-user', 'erase.me@example.com', '--url', server.url],
      {
        env: { ...process.env, ANALYTICS_ADMIN_TOKEN: TOKEN },
      },
    );
    expect(stdout).toContain('erased 1 record(s)');
    expect(await server.stop()).toBe(0);
    expect(await grep(dir, 'erase.me@example.com')).toBe(0);
    // One day file; the index snapshot written at shutdown (dir/index) holds the id too.
    expect(await grep(join(dir, 'events'), 'keep-me')).toBe(1);
  }, 30_000);

  it('rewrites the data dir itself with --offline, and refuses a bad id', async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const store = await JsonlStore.open({ dataDir: dir, compressEveryMs: 0 });
    const r = emptyRecord('pageview', Date.parse('2026-11-20T10:00:00Z'), 'example.com');
    await store.append([
      { ...r, user: '12345' },
      { ...r, user: '123456' },
    ]);
    await store.close();
    const env = { ...process.env, ANALYTICS_DATA_DIR: dir };
    const { stdout } = await run(process.execPath, [CFA, 'erase-user', '12345', '--offline'], { env });
    expect(stdout).toContain('erased 1 record(s)');
    expect(await grep(dir, '"user":"12345"')).toBe(0);
    expect(await grep(dir, '"user":"123456"')).toBe(1);
    const bad = run(process.execPath, [CFA, 'erase-user', 'a\u0001b', '--offline'], { env });
    await expect(bad).rejects.toMatchObject({ code: 2 });
  }, 30_000);
});
