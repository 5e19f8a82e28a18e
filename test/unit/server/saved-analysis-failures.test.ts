import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../../collector/config.ts';
import { createCollector, type Collector } from '../../../server/collector.ts';
import { FileSettingsStore } from '../../../storage/settings/file-settings-store.ts';
import { tempDir } from '../../support/helpers.ts';

const TOKEN = 'saved-failures-admin-token-0123456789';
let collector: Collector | null = null;
let cleanup: (() => Promise<void>) | null = null;

afterEach(async () => {
  await collector?.close();
  await cleanup?.();
  collector = null;
  vi.restoreAllMocks();
});

async function start() {
  const t = await tempDir();
  cleanup = t.cleanup;
  const config = loadConfig({
    ANALYTICS_DATA_DIR: t.dir,
    ANALYTICS_ADMIN_TOKEN: TOKEN,
    ANALYTICS_RATE_LIMIT: '0',
  });
  // A lock that another process holds gives up after 200 ms instead of 5 s.
  collector = await createCollector({ config, settings: new FileSettingsStore(t.dir, { lockWaitMs: 200 }) });
  return t.dir;
}

const send = (method: string, path: string, body?: unknown) =>
  collector!.app.request(path, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

describe('saved funnels and segments when the settings cannot be used', () => {
  it('answer 503 with Retry-After while another process holds the lock, naming no file', async () => {
    const dir = await start();
    const log = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    await writeFile(join(dir, 'settings.json.lock'), '999999');
    const res = await send('POST', '/api/analytics/segments', {
      site: 'a.test',
      name: 'x',
      filters: [['is', 'country', ['DE']]],
    });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    const body = await res.text();
    expect(body).toContain('settings are unavailable');
    expect(body).not.toContain(dir);
    expect(log.mock.calls.flat().join(' ')).toMatch(/settings are locked/);
  });

  it('answer 503 for a damaged settings file, and keep it as it is', async () => {
    const dir = await start();
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    await writeFile(join(dir, 'settings.json'), '{"docs": [ oops');
    const res = await send('GET', '/api/analytics/funnels?site=a.test');
    expect(res.status).toBe(503);
    expect((await send('GET', '/api/analytics/segments')).status).toBe(503);
    expect(await readFile(join(dir, 'settings.json'), 'utf8')).toBe('{"docs": [ oops');
  });
});
