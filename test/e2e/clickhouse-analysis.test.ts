import { afterAll, beforeAll } from 'vitest';
import { loadConfig } from '../../collector/config.ts';
import { openClickHouse, type ClickHouseBackend } from '../../query/clickhouse/open.ts';
import { createCollector, type Collector } from '../../server/collector.ts';
import { tempDir } from '../support/helpers.ts';
import { startClickHouse, type ClickHouseServer } from '../support/clickhouse-server.ts';
import { analysisRecords, NOW } from '../support/analysis/analysis-data.ts';
import { analysisSuite, TOKEN } from '../support/analysis/analysis-suite.ts';

// The saved-analysis suite of test/unit/server/saved-analysis-http.test.ts on ANALYTICS_STORE=clickhouse:
// events and settings in a private clickhouse-server, queried by the ClickHouse backend.
// The clock moves on from NOW (settings versions are write times), far from any record's day edge.
const started = Date.now();
const clock = () => NOW + (Date.now() - started);

let server: ClickHouseServer;
let writer: ClickHouseBackend;
let collector: Collector;
let dirs: { cleanup: () => Promise<void> }[] = [];

beforeAll(async () => {
  server = await startClickHouse();
  const seedDir = await tempDir();
  const runDir = await tempDir();
  dirs = [seedDir, runDir];
  const database = 'saved_analysis';
  // Another process's view of the same store: it seeds the events and later writes a setting.
  writer = await openClickHouse({ url: server.url, database, dataDir: seedDir.dir, clock, flushMs: 20 });
  await writer.store.append(analysisRecords());
  await writer.store.close();
  collector = await createCollector({
    config: loadConfig({
      ANALYTICS_DATA_DIR: runDir.dir,
      ANALYTICS_ADMIN_TOKEN: TOKEN,
      ANALYTICS_RATE_LIMIT: '0',
      ANALYTICS_STORE: 'clickhouse',
      CLICKHOUSE_URL: server.url,
      CLICKHOUSE_DATABASE: database,
      ANALYTICS_QUERY_CACHE_MS: '0',
    }),
    clock,
  });
  await collector.queryReady;
}, 120_000);

afterAll(async () => {
  await collector?.close();
  await writer?.queries.close();
  await server?.destroy();
  for (const dir of dirs) await dir.cleanup();
});

analysisSuite(() => ({ collector, outside: writer.settings }));
