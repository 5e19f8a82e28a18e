import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../../collector/config.ts';
import { createCollector, type Collector } from '../../../server/collector.ts';
import { FileSettingsStore } from '../../../storage/settings/file-settings-store.ts';
import { SettingsError, type SettingsStore } from '../../../storage/settings/settings-store.ts';
import { tempDir } from '../../support/helpers.ts';

const ADMIN = 'setting-scope-admin-token-0123456789';
const WRITE = 'setting-scope-write-key-0123456789ab';
const PASSWORD = 'a long enough password';

let collector: Collector | null = null;
let cleanup: (() => Promise<void>) | null = null;

afterEach(async () => {
  await collector?.close();
  await cleanup?.();
  collector = null;
  vi.restoreAllMocks();
});

/**
 * The settings file's own store, except that reads of the `failing` kinds throw as a damaged store
 * does: what a ClickHouse store looks like when the sessions it still holds in its 1 s cache are
 * fine but the next query, for a goal or a segment, fails.
 */
class PartlyFailing extends FileSettingsStore {
  failing = new Set<string>();
  override get<T>(kind: string, id: string) {
    if (this.failing.has(kind)) return Promise.reject(new SettingsError('settings.json is not valid JSON'));
    return super.get<T>(kind, id);
  }
}

async function start(): Promise<{ dir: string; settings: PartlyFailing }> {
  const t = await tempDir();
  cleanup = t.cleanup;
  await seed(t.dir);
  const config = loadConfig({
    ANALYTICS_DATA_DIR: t.dir,
    ANALYTICS_ADMIN_TOKEN: ADMIN,
    ANALYTICS_WRITE_KEY: WRITE,
    ANALYTICS_RATE_LIMIT: '0',
  });
  const settings = new PartlyFailing(t.dir, { lockWaitMs: 200 });
  collector = await createCollector({ config, settings: settings as SettingsStore });
  return { dir: t.dir, settings };
}

function send(method: string, path: string, headers: Record<string, string>, body?: unknown) {
  return Promise.resolve(
    collector!.app.request(`http://localhost${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  );
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

const IDS = { goal: 'g1', funnel: 'f1', segment: 's1', annotation: 'a1' };

/** One document of every kind a `setting` route looks up, on a.test, as the store writes them. */
async function seed(dir: string): Promise<void> {
  const docs = Object.entries(IDS).map(([kind, id]) => ({
    kind,
    id,
    site: 'a.test',
    updated: 1,
    body: kind === 'segment' ? { site: 'a.test', name: 's', filters: [], owner: 'admin', shared: true } : {},
  }));
  await writeFile(join(dir, 'settings.json'), JSON.stringify({ format: 1, docs }));
}

/** Every route whose site comes from the stored document its path names (bodies as JSON). */
const ROUTES: [string, string, unknown?][] = [
  ['PUT', `/api/analytics/goals/${IDS.goal}`, { site: 'a.test', name: 'g', type: 'page', page: '/y' }],
  ['DELETE', `/api/analytics/goals/${IDS.goal}`],
  ['PUT', `/api/analytics/funnels/${IDS.funnel}`, { site: 'a.test', name: 'f', steps: [] }],
  ['DELETE', `/api/analytics/funnels/${IDS.funnel}`],
  ['PUT', `/api/analytics/segments/${IDS.segment}`, { site: 'a.test', name: 's2', filters: [] }],
  ['DELETE', `/api/analytics/segments/${IDS.segment}`],
  ['DELETE', `/api/analytics/annotations/${IDS.annotation}`],
];

describe('routes whose site comes from a stored settings document, when the settings cannot be read', () => {
  it('answer 503 with Retry-After for a damaged settings.json, whoever asks, and never 403 or 404', async () => {
    const { dir } = await start();
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    await writeFile(join(dir, 'settings.json'), '{"docs": [ oops');
    // The write key is decided without the store (it may only track), so only the document's
    // lookup can fail here: before, it read as "no such document" and answered 403.
    for (const token of [ADMIN, WRITE])
      for (const [method, path, body] of ROUTES) {
        const res = await send(method, path, bearer(token), body);
        expect([method, path, token === ADMIN ? 'admin' : 'write key', res.status]).toEqual([
          method,
          path,
          token === ADMIN ? 'admin' : 'write key',
          503,
        ]);
        expect(res.headers.get('retry-after')).toBe('5');
        expect(await res.text()).not.toContain(dir);
      }
  });

  it('answer 503, not 403, to a site admin whose session still reads while the document does not', async () => {
    const { settings } = await start();
    const made = await send('POST', '/api/admin/users', bearer(ADMIN), {
      name: 'ann',
      password: PASSWORD,
      roles: { 'a.test': 'admin' },
    });
    expect(made.status).toBe(201);
    const login = await send('POST', '/api/auth/login', {}, { username: 'ann', password: PASSWORD });
    expect(login.status).toBe(200);
    const session = {
      cookie: login.headers.get('set-cookie')!.split(';')[0]!,
      'x-csrf-token': ((await login.json()) as { csrf: string }).csrf,
      origin: 'http://localhost',
    };
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    settings.failing = new Set(['goal', 'funnel', 'segment', 'annotation']);
    for (const [method, path, body] of ROUTES) {
      const res = await send(method, path, session, body);
      expect([method, path, res.status]).toEqual([method, path, 503]);
      expect(res.headers.get('retry-after')).toBe('5');
    }
    // Readable again: the same requests are hers to make.
    settings.failing.clear();
    const res = await send('DELETE', `/api/analytics/annotations/${IDS.annotation}`, session);
    expect(res.status).toBe(200);
  });

  it('still answer 404 for an id the store could never hold or a malformed escape', async () => {
    await start();
    const long = 'x'.repeat(201);
    for (const path of [
      `/api/analytics/goals/${long}`,
      '/api/analytics/segments/a%20b',
      '/api/analytics/goals/%E0',
    ]) {
      const res = await send('DELETE', path, bearer(ADMIN));
      expect([path, res.status]).toEqual([path, 404]);
    }
  });
});
