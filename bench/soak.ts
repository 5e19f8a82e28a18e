/**
 * Soak: holds a steady ingestion load on the real collector for a set time and reports what an
 * operator would watch: throughput, errors, p99 latency, and the collector's RSS at start and end
 * (a leak shows as drift). A benchmark, not a test: it fails only on errors, never on a figure.
 *
 *   node --import tsx bench/soak.ts                  30 s at 200 requests/s
 *   node --import tsx bench/soak.ts --seconds 300    the 5-minute figure in docs/performance.md
 *   node --import tsx bench/soak.ts --rate 1000 --connections 50 --json
 *
 * Loopback only; the data dir is a temporary folder removed at the end (unless --keep).
 */
import autocannon from 'autocannon';
import { cac } from 'cac';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChild, type ChildServer } from './lib/child-server.ts';

const ADMIN_TOKEN = 'soak-admin-token-0123456789';
const cli = cac('soak');
cli.option('--seconds <n>', 'how long to hold the load', { default: 30 });
cli.option('--rate <n>', 'requests per second, all connections together', { default: 200 });
cli.option('--connections <n>', 'concurrent keep-alive connections', { default: 20 });
cli.option('--bot', 'send as a crawler: every event is dropped before storage (isolates the request path)');
cli.option('--keep', 'keep the data dir');
cli.option('--json', 'print the figures as JSON');
const { options } = cli.parse();
const seconds = Number(options.seconds);
const rate = Number(options.rate);
const connections = Number(options.connections);

const UA = options.bot
  ? 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)'
  : 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

/** A realistic mix: mostly single page views, some engagement, actions and small batches. */
const BODIES = [
  '{"k":"p","s":"soak.example","u":"https://soak.example/page/[<id>]","r":"https://news.ycombinator.com/"}',
  '{"k":"p","s":"soak.example","u":"https://soak.example/pricing?utm_source=newsletter"}',
  '{"k":"e","s":"soak.example","u":"https://soak.example/page/[<id>]","d":12000,"x":60}',
  '{"k":"a","s":"soak.example","u":"https://soak.example/app","n":"photo_processed","p":{"processed_count":150},"i":"user-[<id>]"}',
  '[{"k":"p","s":"soak.example","u":"https://soak.example/a"},{"k":"s","s":"soak.example","u":"https://soak.example/a","n":"whatsapp","c":3}]',
];

async function dirBytes(dir: string): Promise<number> {
  let bytes = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) bytes += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return bytes;
}

const mb = (bytes: number | null) => (bytes === null ? null : Math.round((bytes / 2 ** 20) * 10) / 10);

const dataDir = await mkdtemp(join(tmpdir(), 'cfa-soak-'));
let server: ChildServer | null = null;
try {
  server = await startChild('server/server.ts', {
    ANALYTICS_DATA_DIR: dataDir,
    ANALYTICS_RATE_LIMIT: '0',
    ANALYTICS_ADMIN_TOKEN: ADMIN_TOKEN,
  });
  const rssStart = await server.rss();
  const samples: number[] = [];
  const sampler = setInterval(() => void server!.rss().then((r) => r !== null && samples.push(r)), 5000);

  const result = await autocannon({
    url: `${server.url}/api/event`,
    connections,
    duration: seconds,
    overallRate: rate,
    idReplacement: true,
    requests: BODIES.map((body) => ({
      method: 'POST' as const,
      headers: { 'content-type': 'text/plain', 'user-agent': UA },
      body,
    })),
  });
  clearInterval(sampler);
  const rssEnd = await server.rss();
  const health = (await (
    await fetch(`${server.url}/healthz`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
  ).json()) as {
    store?: { written?: number };
    drops?: Record<string, number>;
    query_index?: unknown;
  };
  const figures = {
    seconds,
    target_rps: rate,
    connections,
    requests: result.requests.total,
    rps: Math.round(result.requests.average),
    events_written: health.store?.written ?? null,
    errors: result.errors + result.timeouts + result.non2xx,
    non2xx: result.non2xx,
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    max_ms: result.latency.max,
    rss_start_mb: mb(rssStart),
    rss_end_mb: mb(rssEnd),
    rss_max_mb: mb(Math.max(rssEnd ?? 0, ...samples)),
    rss_drift_mb: rssStart !== null && rssEnd !== null ? mb(rssEnd - rssStart) : null,
    // One sample a minute shows whether RSS levels off (heap sizing, caches) or keeps climbing.
    rss_per_minute_mb: samples.filter((_, i) => i % 12 === 11).map(mb),
    data_dir_mb: mb(await dirBytes(dataDir)),
    drops: health.drops ?? {},
    // The query index keeps every stored record in memory, so RSS grows with events stored.
    query_index: health.query_index ?? null,
  };
  if (options.json) console.log(JSON.stringify(figures, null, 2));
  else {
    console.log(`soak: ${seconds} s at ${rate} req/s target over ${connections} connections`);
    for (const [key, value] of Object.entries(figures))
      console.log(`  ${key.padEnd(16)} ${JSON.stringify(value)}`);
  }
  if (figures.errors > 0) process.exitCode = 1;
} finally {
  await server?.stop();
  if (!options.keep) await rm(dataDir, { recursive: true, force: true });
  else console.log(`data dir kept: ${dataDir}`);
}
