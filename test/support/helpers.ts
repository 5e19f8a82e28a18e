import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config } from '../../collector/config.ts';
import { createCollector, type Collector } from '../../server/collector.ts';
import { JsonlStore } from '../../storage/jsonl-store.ts';
import type { StoredRecord } from '../../storage/schema.ts';
import type { Clock } from '../../storage/types.ts';

export async function tempDir(prefix = 'cfa-test-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A movable clock for tests: starts at `start`, moves only when told. */
export function fixedClock(start: number): Clock & { set(t: number): void; advance(ms: number): void } {
  let now = start;
  const clock = (() => now) as Clock & { set(t: number): void; advance(ms: number): void };
  clock.set = (t) => (now = t);
  clock.advance = (ms) => (now += ms);
  return clock;
}

export const CHROME_UA =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
export const IPHONE_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

/** A real collector on a temporary data dir, configured as the environment would. */
export async function testCollector(
  env: Record<string, string> = {},
  clock?: Clock,
): Promise<{ collector: Collector; config: Config; dir: string; cleanup: () => Promise<void> }> {
  const { dir, cleanup } = await tempDir();
  const config = loadConfig({
    ANALYTICS_DATA_DIR: dir,
    ANALYTICS_TRUST_PROXY: '1',
    ANALYTICS_RATE_LIMIT: '0',
    ...env,
  });
  const collector = await createCollector({ config, clock });
  return {
    collector,
    config,
    dir,
    cleanup: async () => {
      await collector.close();
      await cleanup();
    },
  };
}

/**
 * A collector over `records` already on disk, with its query index loaded: the query tests' common
 * start. `cleanup` closes it and removes its data dir.
 */
export async function collectorOver(
  records: readonly StoredRecord[],
  env: Record<string, string>,
  clock: Clock,
): Promise<{ collector: Collector; cleanup: () => Promise<void> }> {
  const { dir, cleanup } = await tempDir();
  const store = await JsonlStore.open({ dataDir: dir, clock, compressEveryMs: 0 });
  await store.append(records);
  await store.close();
  const collector = await createCollector({
    config: loadConfig({ ANALYTICS_DATA_DIR: dir, ANALYTICS_RATE_LIMIT: '0', ...env }),
    clock,
  });
  await collector.queryReady;
  return {
    collector,
    cleanup: async () => {
      await collector.close();
      await cleanup();
    },
  };
}

/** POSTs a beacon body the way a browser on `ip` would. */
export function postEvent(
  collector: Collector,
  body: unknown,
  { ip = '81.2.69.160', ua = CHROME_UA, headers = {} as Record<string, string> } = {},
): Promise<Response> {
  return Promise.resolve(
    collector.app.request('/api/event', {
      method: 'POST',
      headers: { 'content-type': 'text/plain', 'user-agent': ua, 'x-forwarded-for': ip, ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );
}

/** GET /healthz with the admin token: the operator's counters (drops, store, index size). */
export async function adminHealth(collector: Collector) {
  const res = await collector.app.request('/healthz', {
    headers: { authorization: `Bearer ${collector.adminToken}` },
  });
  return res.json();
}
