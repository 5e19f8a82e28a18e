/**
 * `npm run bench`: every performance claim in one run, on this machine.
 *
 *   npm run bench              ingest, queries on 100k and 1M events, start-up, beacon (~6 min
 *                              on 2 cores; ~10 min with ClickHouse installed)
 *   npm run bench -- --large   adds 10M events (~25 min more)
 *   npm run bench -- --quick   CI smoke: same code paths, small sizes, under 60 s
 *
 * Prints a table and writes bench/results.json. Fails only on errors (a server that does not
 * start, a query that answers 500), never because a figure missed its target; a query the server
 * declines with 503 + Retry-After (its store did not answer in time) is shown as such.
 */
import { cac } from 'cac';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { beaconSize } from './beacon-size.ts';
import { clickhouseInstalled, clickhouseWith } from './clickhouse.ts';
import { fsyncLatency } from './disk.ts';
import { generatedUserId, type GenerateOptions } from '../demo/generate.ts';
import { benchIngest } from './ingest.ts';
import { timeQueries, type QueryResult } from './queries.ts';
import { querySet } from './query-set.ts';
import { printReport, type BackendRun, type Results } from './report.ts';
import { restartWarm, startCollectorOn } from './startup.ts';
import { writeGenerated } from '../demo/write-generated.ts';

const TOKEN = 'bench-admin-token-0123456789';

const cli = cac('bench');
cli.option('--quick', 'CI smoke run: small sizes, same code paths, under 60 s');
cli.option('--large', 'add the 10M-event dataset');
cli.option('--no-clickhouse', 'skip the ClickHouse side of the query benchmark');
const { options } = cli.parse();
const quick = Boolean(options.quick);

const plan = quick
  ? {
      sizes: [20_000],
      runs: { warmup: false, runs: 1, minRuns: 1, budgetMs: 0 },
      connections: 32,
      duration: 2,
      warmup: 0,
    }
  : {
      sizes: [100_000, 1_000_000, ...(options.large ? [10_000_000] : [])],
      runs: { warmup: true, runs: 30, minRuns: 5, budgetMs: 6000 },
      connections: 32,
      duration: 10,
      warmup: 2,
    };
const withClickHouse = options.clickhouse !== false && clickhouseInstalled();

const started = performance.now();
const log = (message: string) =>
  console.error(`[bench ${((performance.now() - started) / 1000).toFixed(0)} s] ${message}`);

const results: Results = {
  when: new Date().toISOString(),
  mode: quick ? 'quick' : options.large ? 'large' : 'full',
  machine: {
    cpus: cpus().length,
    cpu: cpus()[0]?.model ?? '',
    memory_gb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  },
  disk: await fsyncLatency(),
  beacon: null,
  ingest: null,
  datasets: [],
  duration_s: 0,
};

log('beacon: building dist/ and measuring');
results.beacon = await beaconSize();

log(`ingest: bare Hono, then the collector, ${plan.connections} connections, ${plan.duration} s each`);
results.ingest = await benchIngest({
  connections: plan.connections,
  duration: plan.duration,
  warmup: plan.warmup,
});

for (const events of plan.sizes) {
  // 89 days ending now, so the 90-day queries cover the whole dataset.
  const dataset: GenerateOptions = { seed: 1, days: 89, events, end: Date.now() };
  const cases = querySet(generatedUserId(dataset.seed!, 0));
  const dir = await mkdtemp(join(tmpdir(), `cfa-bench-${events}-`));
  try {
    log(`dataset ${events}: generating into ${dir}`);
    const writeStarted = performance.now();
    await writeGenerated({ ...dataset, dataDir: dir, batchSize: 50_000 });
    const write_ms = Math.round(performance.now() - writeStarted);
    const runs: BackendRun[] = [];
    log(`dataset ${events}: JSON backend start-up and queries`);
    runs.push(await runBackend('json', { ANALYTICS_DATA_DIR: dir, ANALYTICS_STORE: 'json' }, cases, events));
    if (withClickHouse) {
      log(`dataset ${events}: loading ClickHouse and building its rollups`);
      const ch = await clickhouseWith(dataset);
      try {
        log(`dataset ${events}: ClickHouse backend start-up and queries`);
        runs.push({
          ...(await runBackend('clickhouse', ch.env, cases, events)),
          load_ms: ch.load_ms,
          insert_rows_per_s: ch.insert_rows_per_s,
          build_ms: ch.build_ms,
        });
      } finally {
        await ch.destroy();
      }
    }
    results.datasets.push({ events, days: dataset.days!, write_ms, runs });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

results.duration_s = Math.round((performance.now() - started) / 1000);
await writeFile(join(import.meta.dirname, 'results.json'), JSON.stringify(results, null, 2) + '\n');
printReport(results);
for (const d of results.datasets) {
  for (const run of d.runs as (BackendRun & { warm_startup_ms?: number })[]) {
    if (run.warm_startup_ms === undefined) continue;
    console.log(
      `start-up, ${d.events} events, ${run.backend}: cold ${(run.startup_ms / 1000).toFixed(2)} s, from the index snapshot ${(run.warm_startup_ms / 1000).toFixed(2)} s`,
    );
  }
}
console.log(`\nWrote bench/results.json (${results.duration_s} s).`);

async function runBackend(
  backend: BackendRun['backend'],
  env: Record<string, string>,
  cases: ReturnType<typeof querySet>,
  events: number,
): Promise<BackendRun & { warm_startup_ms?: number }> {
  const cold = await startCollectorOn({ ...env, ANALYTICS_ADMIN_TOKEN: TOKEN });
  let server = cold.server;
  try {
    // JSON store: a graceful stop writes the index snapshot, so a second start is the warm one.
    // The queries are timed on that second process, a collector's steady state: right after a
    // cold load it writes its first snapshot in the background, which would compete with them.
    let warm_startup_ms: number | undefined;
    if (backend === 'json') {
      const warm = await restartWarm(cold, { ...env, ANALYTICS_ADMIN_TOKEN: TOKEN });
      warm_startup_ms = warm.startup_ms;
      server = warm.server;
    }
    const rss_after_load = await server.rss();
    // At 10M a raw ClickHouse query can take seconds: 3 runs at least, so the run stays within the hour.
    const runs = events >= 10_000_000 ? { ...plan.runs, minRuns: 3 } : plan.runs;
    const queries: Record<string, QueryResult> = await timeQueries(server.url, TOKEN, cases, runs);
    const rss_after_queries = await server.rss();
    return {
      backend,
      startup_ms: cold.startup_ms,
      warm_startup_ms,
      query_index: cold.query_index,
      rss_after_load_mb: mb(rss_after_load),
      rss_after_queries_mb: mb(rss_after_queries),
      queries,
    };
  } finally {
    await server.stop();
  }
}

function mb(bytes: number | null): number | null {
  return bytes === null ? null : Math.round(bytes / 2 ** 20);
}
