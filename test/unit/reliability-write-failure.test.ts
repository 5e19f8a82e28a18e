import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dayDir, kindFile, utcDay } from '../../storage/day-files.ts';
import { CHROME_UA, tempDir } from '../support/helpers.ts';
import { startServer, type RunningServer } from '../support/server-process.ts';

const running: RunningServer[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop('SIGKILL');
  for (const c of cleanups.splice(0)) await c();
});

function post(server: RunningServer, path: string): Promise<Response> {
  return fetch(`${server.url}/api/event`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', 'user-agent': CHROME_UA },
    body: JSON.stringify({ k: 'p', s: 'example.com', u: `https://example.com${path}` }),
  });
}

/**
 * Real faults under the real file layer, injected before the collector starts: the day's page
 * view file is /dev/full (every write fails with ENOSPC, as on a full disk), or a plain file sits
 * where the day's folder must be created (what a permission or mount problem looks like).
 */
const FAULTS: [string, string, (dir: string) => Promise<() => Promise<void>>][] = [
  [
    'a full disk (ENOSPC)',
    'ENOSPC',
    async (dir) => {
      const file = kindFile(dir, utcDay(Date.now()), 'pageview');
      await mkdir(dirname(file), { recursive: true });
      await symlink('/dev/full', file);
      return () => rm(file);
    },
  ],
  [
    'a folder that cannot be created',
    'EEXIST',
    async (dir) => {
      const day = dayDir(dir, utcDay(Date.now()));
      await mkdir(dirname(day), { recursive: true });
      await writeFile(day, 'not a folder');
      return () => rm(day);
    },
  ],
];

// /healthz shows the store's counters only to the admin.
const ADMIN = 'write-failure-admin-0123456789';

describe('write failures', () => {
  it.each(FAULTS)(
    'answers 503 with Retry-After on %s, stays up, and writes again once the fault clears',
    async (_name, code, inject) => {
      const { dir, cleanup } = await tempDir();
      cleanups.push(cleanup);
      const clear = await inject(dir);
      const server = await startServer({
        ANALYTICS_DATA_DIR: dir,
        ANALYTICS_RATE_LIMIT: '0',
        ANALYTICS_ADMIN_TOKEN: ADMIN,
      });
      running.push(server);

      for (let i = 0; i < 3; i++) {
        const res = await post(server, `/refused/${i}`);
        expect(res.status).toBe(503);
        expect(res.headers.get('retry-after')).toBe('5');
        expect((await res.json()).error).toBe('storage is unavailable, retry later');
      }
      const health = await (
        await fetch(`${server.url}/healthz`, { headers: { authorization: `Bearer ${ADMIN}` } })
      ).json();
      expect(health).toMatchObject({ ok: true, drops: { unavailable: 3 }, store: { written: 0 } });
      expect(health.store.lastWriteError).toContain(code);

      await clear();
      expect((await post(server, '/accepted')).status).toBe(202);
      const healed = await (
        await fetch(`${server.url}/healthz`, { headers: { authorization: `Bearer ${ADMIN}` } })
      ).json();
      expect(healed.store).toMatchObject({ written: 1, lastWriteError: null });
      expect(await server.stop()).toBe(0);
      expect(server.child.signalCode).toBeNull();

      // Nothing of the refused requests reached the file, and the accepted one is whole.
      const text = await readFile(kindFile(dir, utcDay(Date.now()), 'pageview'), 'utf8');
      expect(
        text
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l).path),
      ).toEqual(['/accepted']);
    },
    30_000,
  );
});
