import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SavedFunnel } from '../../shared/api.ts';
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
let dirs: { dir: string; cleanup: () => Promise<void> }[] = [];
const database = 'saved_analysis';

beforeAll(async () => {
  server = await startClickHouse();
  const seedDir = await tempDir();
  const runDir = await tempDir();
  dirs = [seedDir, runDir];
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

function cfa(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [join(import.meta.dirname, '..', '..', 'cli', 'cfa.mjs'), ...args],
      {
        env: {
          ...process.env,
          ANALYTICS_STORE: 'clickhouse',
          CLICKHOUSE_URL: server.url,
          CLICKHOUSE_DATABASE: database,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('cfa config on ClickHouse', () => {
  it('imports into the settings table, and the running collector uses it without a restart', async () => {
    const file = join(dirs[0]!.dir, 'import.json');
    const steps = [
      { type: 'page', value: '/' },
      { type: 'action', value: 'photo_processed' },
    ];
    await writeFile(
      file,
      JSON.stringify({
        format: 'cfa-config',
        version: 1,
        site: 'a.test',
        settings: [
          {
            kind: 'funnel',
            id: 'cli-funnel',
            site: 'a.test',
            body: { site: 'a.test', name: 'From the CLI', steps, window_minutes: null },
          },
          { kind: 'goal', id: 'cli-goal', site: 'a.test', body: { page: '/pricing' } },
        ],
      }),
    );
    const imported = await cfa(['config', 'import', file, '--data-dir', dirs[0]!.dir]);
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    const names = async () =>
      (
        (await (
          await collector.app.request('/api/analytics/funnels?site=a.test', {
            headers: { authorization: `Bearer ${TOKEN}` },
          })
        ).json()) as { funnels: SavedFunnel[] }
      ).funnels.map((f) => f.name);
    await expect.poll(names, { timeout: 5_000, interval: 200 }).toContain('From the CLI');
    const exported = await cfa(['config', 'export', '--site', 'a.test', '--data-dir', dirs[0]!.dir]);
    expect(exported.code).toBe(0);
    const ids = (JSON.parse(exported.stdout) as { settings: { id: string }[] }).settings.map((d) => d.id);
    expect(ids).toEqual(expect.arrayContaining(['cli-funnel', 'cli-goal']));
    const replaced = await cfa(['config', 'import', file, '--replace', '--data-dir', dirs[0]!.dir]);
    expect(replaced.code).toBe(0);
  });
});
