/**
 * Security review C1, measured: N requests of 16 new action names × 5 new numeric prop keys, then
 * the first `overall?days=1` with /healthz asked every 20 ms meanwhile, the collector's peak RSS,
 * and a restart on that data (time until /healthz answers). Each step is cut at 60 s (reported as
 * "> 60 s") and the collector killed with SIGKILL, since a blocked one ignores SIGTERM.
 *
 *   node --import tsx bench/attack-c1.ts [--server path/to/dist/server.mjs] [--counts 20,300,3000]
 *
 * The growth caps apply as configured: run it once as it is (the defaults drop names past 1,000 a
 * site a day) and once with ANALYTICS_CAP_NAMES=1000000 ANALYTICS_CAP_PROP_KEYS=1000000 to see the
 * query's own bound. The default server is this checkout's dist/server.mjs (run `node scripts/build.mjs` first). The
 * rate limit is turned off (ANALYTICS_RATE_LIMIT=0) so one source address can send the requests;
 * the review sent them within the default limit or from several addresses, to the same effect.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { sendC1, withHealthProbe } from '../test/support/attack-c1.ts';

const LIMIT_MS = 60_000;
const TOKEN = 'bench-attack-c1-token-0123456789abcdef';

const { values } = parseArgs({
  options: {
    server: { type: 'string', default: join(import.meta.dirname, '..', 'dist', 'server.mjs') },
    counts: { type: 'string', default: '20,300,3000' },
  },
});
const server = resolve(values.server!);
const counts = values.counts!.split(',').map(Number);

interface Child {
  child: ChildProcess;
  url: Promise<string | null>;
}

function start(dataDir: string): Child {
  const child = spawn(process.execPath, ['--enable-source-maps', server], {
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      ANALYTICS_DATA_DIR: dataDir,
      ANALYTICS_ADMIN_TOKEN: TOKEN,
      ANALYTICS_RATE_LIMIT: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stderr!.on('data', (d) => (out = (out + d).slice(-4000)));
  const url = new Promise<string | null>((done) => {
    const timer = setTimeout(() => done(null), LIMIT_MS);
    child.stdout!.on('data', (d) => {
      out = (out + d).slice(-4000);
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        done(match[1]!.replace('localhost', '127.0.0.1'));
      }
    });
    child.once('exit', () => {
      clearTimeout(timer);
      done(null);
    });
  });
  return { child, url };
}

async function peakRss(child: ChildProcess): Promise<number | null> {
  const status = await readFile(`/proc/${child.pid}/status`, 'utf8').catch(() => '');
  const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
  return kb ? Number(kb) / 1024 : null;
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGKILL');
  await exited;
}

/** Time until /healthz answers after a (re)start, polled every 50 ms; null past the limit. */
async function healthyAfter(dataDir: string): Promise<{ ms: number | null; child: Child }> {
  const t0 = performance.now();
  const c = start(dataDir);
  const url = await c.url;
  if (!url) return { ms: null, child: c };
  while (performance.now() - t0 < LIMIT_MS) {
    const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) }).catch(() => null);
    if (res?.ok) return { ms: performance.now() - t0, child: c };
    await new Promise((r) => setTimeout(r, 50));
  }
  return { ms: null, child: c };
}

const fmt = (ms: number | null) =>
  ms === null ? '> 60 s' : ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;

console.log(`server: ${server}\n`);
console.log(
  '| requests (×16 events) | stored (202) / capped (204) | overall?days=1 | longest /healthz wait | peak RSS | restart → /healthz |',
);
console.log('|---|---|---|---|---|---|');
for (const count of counts) {
  const dir = await mkdtemp(join(tmpdir(), 'cfa-bench-c1-'));
  try {
    const first = start(dir);
    const url = await first.url;
    if (!url) throw new Error('the collector did not start');
    const sent = await sendC1(url, 0, count);
    // 204: the growth caps dropped the event (a new name past ANALYTICS_CAP_NAMES); anything else
    // means the flood itself was refused and the figures would not be the review's case.
    const refused = Object.keys(sent).filter((status) => status !== '202' && status !== '204');
    if (refused.length) throw new Error(`requests refused: ${JSON.stringify(sent)}`);
    // Let the ingest settle so the timed query is the only work.
    await new Promise((r) => setTimeout(r, 500));
    const probe = await withHealthProbe(
      url,
      (signal) =>
        fetch(`${url}/api/analytics/overall?days=1`, {
          headers: { authorization: `Bearer ${TOKEN}` },
          signal,
        }).then(async (res) => {
          await res.arrayBuffer();
          return res.status;
        }),
      LIMIT_MS,
    );
    const overallMs = probe.result === 200 ? probe.ms : null;
    const health = probe.result === 200 ? probe.healthMaxMs : null;
    const rss = await peakRss(first.child);
    await kill(first.child);
    const restart = await healthyAfter(dir);
    await kill(restart.child.child);
    console.log(
      `| ${count} | ${sent[202] ?? 0} / ${sent[204] ?? 0} | ${fmt(overallMs)} | ${fmt(health)} | ${rss === null ? '?' : `${Math.round(rss)} MB`} | ${fmt(restart.ms)} |`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
