import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { kindFile, utcDay } from '../../storage/day-files.ts';
import { CHROME_UA, tempDir } from '../support/helpers.ts';
import { startServer, type RunningServer } from '../support/server-process.ts';

const running: RunningServer[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop();
  for (const c of cleanups.splice(0)) await c();
});

describe('collector server process', () => {
  it('prints the dashboard URL with the generated admin token, ingests over real HTTP and flushes on SIGTERM', async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const server = await startServer({ ANALYTICS_DATA_DIR: dir, ANALYTICS_TRUST_PROXY: '1' });
    running.push(server);
    const token = (await readFile(`${dir}/admin-token`, 'utf8')).trim();
    expect(server.output()).toContain(`/admin/analytics#token=${token}`);

    const beacon = await fetch(`${server.url}/beacon.js`);
    expect(beacon.status).toBe(200);
    const res = await fetch(`${server.url}/api/event`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', 'user-agent': CHROME_UA, 'x-forwarded-for': '81.2.69.160' },
      body: JSON.stringify({ k: 'p', s: 'example.com', u: 'https://example.com/hello' }),
    });
    expect(res.status).toBe(202);
    // Over real HTTP a body has a Content-Length, which takes the direct-read path: still capped.
    const huge = await fetch(`${server.url}/api/event`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', 'user-agent': CHROME_UA },
      body: JSON.stringify({
        k: 'p',
        s: 'example.com',
        u: 'https://example.com/',
        p: { a: 'x'.repeat(17_000) },
      }),
    });
    expect(huge.status).toBe(413);
    expect(await server.stop()).toBe(0);
    expect(server.output()).toContain('SIGTERM: flushing and stopping');
    const line = JSON.parse((await readFile(kindFile(dir, utcDay(Date.now()), 'pageview'), 'utf8')).trim());
    expect(line).toMatchObject({ path: '/hello', country: 'GB', browser: 'Chrome' });
    expect(server.output()).not.toContain('81.2.69.160');
  });

  it('fails at start with a message naming a bad variable', async () => {
    await expect(startServer({ PORT: 'abc' })).rejects.toThrow(
      'configuration error: PORT must be a whole number',
    );
  });
});
