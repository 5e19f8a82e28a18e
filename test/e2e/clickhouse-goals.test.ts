import { afterAll, beforeAll, describe } from 'vitest';
import { loadConfig } from '../../collector/config.ts';
import { createCollector, type Collector } from '../../server/collector.ts';
import { startClickHouse, type ClickHouseServer } from '../support/clickhouse-server.ts';
import { goalRecords, goalsApiTests, NOW, type Send } from '../support/goals-scenario.ts';
import { fixedClock, tempDir } from '../support/helpers.ts';

const TOKEN = 'clickhouse-goals-token-0123456789';
let server: ClickHouseServer;
let collector: Collector;
let cleanupDir: () => Promise<void>;

beforeAll(async () => {
  server = await startClickHouse();
  const dir = await tempDir();
  cleanupDir = dir.cleanup;
  collector = await createCollector({
    config: loadConfig({
      ANALYTICS_DATA_DIR: dir.dir,
      ANALYTICS_ADMIN_TOKEN: TOKEN,
      ANALYTICS_STORE: 'clickhouse',
      CLICKHOUSE_URL: server.url,
      CLICKHOUSE_DATABASE: 'goals_e2e',
    }),
    clock: fixedClock(NOW),
  });
  await collector.queryReady;
  await collector.store.append(goalRecords());
}, 120_000);

afterAll(async () => {
  await collector?.close();
  await server?.destroy();
  await cleanupDir?.();
});

const send: Send = async (method, path, body) =>
  collector.app.request(path, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });

// The settings live in ClickHouse's `settings` table here, and every figure comes from SQL.
describe('goals, cards, annotations and intervals on ClickHouse', () => {
  goalsApiTests(() => send);
});
