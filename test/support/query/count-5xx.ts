/**
 * Counts the answers by status of the combinations (combinations.ts) and of 600 random valid
 * requests (random-requests.ts, seed 42) against the collector of another checkout, for before /
 * after figures (docs/query-api.md):
 *
 *   git clone -q /work/main /tmp/before && cp -al /work/main/node_modules /tmp/before/
 *   (cd /tmp/before && git checkout -q d83e041 && npm run build)
 *   node --import tsx test/support/query/count-5xx.ts /tmp/before
 *
 * With no argument it counts this checkout. Not a test: it only reports.
 */
import fc from 'fast-check';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { combinationRecords, combinations, NOW, type HttpCase } from './combinations.ts';
import { randomRequest } from './random-requests.ts';

type App = { request(path: string, init: RequestInit): Response | Promise<Response> };
const root = resolve(process.argv[2] ?? join(import.meta.dirname, '..', '..', '..'));
const { loadConfig } = await import(join(root, 'collector/config.ts'));
const { createCollector } = await import(join(root, 'server/collector.ts'));
const { JsonlStore } = await import(join(root, 'storage/jsonl-store.ts'));

const dir = await mkdtemp(join(tmpdir(), 'cfa-count-'));
const clock = () => NOW;
const store = await JsonlStore.open({ dataDir: dir, clock, compressEveryMs: 0 });
await store.append(combinationRecords());
await store.close();
const TOKEN = 'count-5xx-token-0123456789abcdef';
const env = { ANALYTICS_DATA_DIR: dir, ANALYTICS_ADMIN_TOKEN: TOKEN, ANALYTICS_RATE_LIMIT: '0' };
const collector = (await createCollector({ config: loadConfig(env), clock })) as {
  app: App;
  queryReady: Promise<void>;
  close(): Promise<void>;
};
await collector.queryReady;

async function tally(label: string, cases: (HttpCase & { route?: string })[]): Promise<void> {
  const byStatus: Record<number, number> = {};
  const failing: Record<string, number> = {};
  for (const c of cases) {
    const res = await collector.app.request(c.path, {
      method: c.method,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: c.body === undefined ? undefined : JSON.stringify(c.body),
    });
    byStatus[res.status] = (byStatus[res.status] ?? 0) + 1;
    if (res.status >= 500) {
      const route = c.route ?? c.path.split('?')[0]!;
      failing[route] = (failing[route] ?? 0) + 1;
    }
  }
  console.log(
    `${label}: ${cases.length} requests, by status ${JSON.stringify(byStatus)}, 5xx by route ${JSON.stringify(failing)}`,
  );
}

// The collector logs every 500 with its stack; only the counts matter here.
const log = console.error;
console.error = () => undefined;
await tally('combinations', combinations());
await tally('random', fc.sample(randomRequest, { seed: 42, numRuns: 600 }));
console.error = log;
await collector.close();
await rm(dir, { recursive: true, force: true });
