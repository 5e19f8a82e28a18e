import autocannon from 'autocannon';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WireEvent } from '../shared/wire.ts';
import { startChild } from './lib/child-server.ts';

export interface LoadFigures {
  /** successful requests per second over the run */
  rps: number;
  p50_ms: number;
  p99_ms: number;
  requests: number;
  non2xx: number;
  errors: number;
}

export interface IngestFigures {
  connections: number;
  duration_s: number;
  bare_hono: LoadFigures;
  collector: LoadFigures;
  /** collector ÷ bare Hono req/s; target ≥ 0.6 */
  ratio: number;
  batched: LoadFigures & { events_per_request: number; events_per_s: number };
}

const UA =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const SITE = 'bench.example';

// What a beacon sends in a visit: landings with and without a referrer, engagement, an action.
const SINGLE: WireEvent[] = [
  { k: 'p', s: SITE, u: `https://${SITE}/` },
  { k: 'p', s: SITE, u: `https://${SITE}/pricing`, r: 'https://www.google.com/' },
  { k: 'e', s: SITE, u: `https://${SITE}/pricing`, d: 12_000, x: 64 },
  { k: 'p', s: SITE, u: `https://${SITE}/features`, r: `https://${SITE}/pricing` },
  {
    k: 'a',
    s: SITE,
    u: `https://${SITE}/upload`,
    n: 'photo_processed',
    p: { processed_count: 150, total_files: 200 },
  },
];
const BATCH = 25;

function requests(bodies: string[]): autocannon.Request[] {
  return bodies.map((body) => ({
    method: 'POST',
    path: '/api/event',
    headers: { 'content-type': 'text/plain', 'user-agent': UA },
    body,
  }));
}

async function load(
  url: string,
  bodies: string[],
  connections: number,
  duration: number,
): Promise<LoadFigures> {
  const result = await autocannon({ url, connections, duration, requests: requests(bodies) });
  const ok = result['2xx'];
  return {
    rps: Math.round(ok / result.duration),
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    requests: ok + result.non2xx,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

/**
 * Loads the bare Hono app and the real collector (JSON Lines store, fsync before every 2xx, rate
 * limit off) one after the other with the same autocannon settings, then the collector with
 * batched beacon requests. Both servers are child processes on 127.0.0.1, so the load generator
 * shares the machine with them in the same way.
 */
export async function benchIngest(options: {
  connections: number;
  duration: number;
  /** seconds of untimed load first (JIT, sockets); 0 skips it */
  warmup: number;
}): Promise<IngestFigures> {
  const { connections, duration, warmup } = options;
  const single = SINGLE.map((e) => JSON.stringify(e));
  const batch = [JSON.stringify(Array.from({ length: BATCH }, (_, i) => SINGLE[i % SINGLE.length]))];

  const bare = await startChild('bench/bare-hono.ts', {});
  let bareFigures: LoadFigures;
  try {
    if (warmup > 0) await load(bare.url, single, connections, warmup);
    bareFigures = await load(bare.url, single, connections, duration);
  } finally {
    await bare.stop();
  }

  const dataDir = await mkdtemp(join(tmpdir(), 'cfa-bench-ingest-'));
  const collector = await startChild('server/server.ts', {
    ANALYTICS_DATA_DIR: dataDir,
    ANALYTICS_RATE_LIMIT: '0',
    ANALYTICS_STORE: 'json',
    ANALYTICS_ADMIN_TOKEN: 'bench-admin-token-0123456789',
  });
  try {
    if (warmup > 0) await load(collector.url, single, connections, warmup);
    const collectorFigures = await load(collector.url, single, connections, duration);
    const batched = await load(collector.url, batch, connections, duration);
    return {
      connections,
      duration_s: duration,
      bare_hono: bareFigures,
      collector: collectorFigures,
      ratio: round(collectorFigures.rps / bareFigures.rps, 2),
      batched: { ...batched, events_per_request: BATCH, events_per_s: batched.rps * BATCH },
    };
  } finally {
    await collector.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

function round(n: number, digits: number): number {
  return Number(n.toFixed(digits));
}
