import { join } from 'node:path';
import { FileSaltStore, type SaltStore } from '../storage/salts.ts';
import { openClickHouse } from '../storage/clickhouse/open.ts';
import { ClickHouseQueryBackend } from '../storage/clickhouse/query/backend.ts';
import { JsonlStore } from '../storage/jsonl-store.ts';
import { systemClock, type Clock, type EventStore } from '../storage/types.ts';
import { resolveAdminToken } from './admin-token.ts';
import { FailedAuthLimiter } from './auth.ts';
import { createApp } from './app.ts';
import { dashboardRoutes } from './routes/dashboard.ts';
import { loadAsset } from './assets.ts';
import { ConfigError, type Config } from './config.ts';
import { analyticsRoutes } from './routes/analytics.ts';
import { trackRoutes } from './routes/analytics-track.ts';
import { loadCards } from '../storage/query/cards-config.ts';
import { MemoryBackend } from '../storage/query/memory/backend.ts';
import { IndexSnapshots } from '../storage/query/memory/snapshot.ts';
import { SnapshotSchedule } from '../storage/query/memory/snapshot-schedule.ts';
import { QueryService } from '../storage/query/service.ts';
import { DropCounter } from './drop-counter.ts';
import { geolocate, type Geolocate } from './pipeline/geo.ts';
import { UserAgentParser } from './pipeline/user-agent.ts';
import { RateLimiter } from './rate-limit.ts';
import { loadReferrerSpam } from './referrer-spam.ts';
import { startRetention } from './retention-job.ts';
import type { Hono } from 'hono';

export interface CollectorOptions {
  config: Config;
  clock?: Clock;
  /** defaults to the JSON Lines store in config.dataDir */
  store?: EventStore;
  geolocate?: Geolocate;
  /** folder holding the built beacon.js (and dashboard); defaults to ./dist */
  distDir?: string;
}

export interface Collector {
  app: Hono;
  store: EventStore;
  adminToken: string;
  /** the query API as functions (what the routes call) */
  query: QueryService;
  /** resolves once the query index has loaded the stored history */
  queryReady: Promise<void>;
  close(): Promise<void>;
}

/** Wires the collector's parts from configuration; the server module only adds a socket. */
export async function createCollector(options: CollectorOptions): Promise<Collector> {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  // Checked before anything is opened, so a bad cards file stops the start cleanly.
  const cards = await loadCards(config.metricsFile, config.defaultCardsSites).catch((error: Error) => {
    throw new ConfigError(error.message);
  });
  // ANALYTICS_STORE=clickhouse: events, and the daily salt, are shared by every collector.
  const clickhouse =
    !options.store && config.clickhouse
      ? await openClickHouse({ ...config.clickhouse, dataDir: config.dataDir, clock })
      : null;
  // Our own JSON store: the query index starts from a snapshot of its columns when one fits the
  // files (storage/query/memory/snapshot.ts); erasure and purges delete it before changing a file.
  const snapshots =
    !options.store && !clickhouse && config.snapshotRows > 0
      ? new IndexSnapshots(config.dataDir, clock)
      : null;
  const store =
    options.store ??
    clickhouse?.store ??
    (await JsonlStore.open({ dataDir: config.dataDir, clock, beforeRewrite: snapshots?.invalidate }));
  const schedule =
    snapshots && store instanceof JsonlStore
      ? new SnapshotSchedule({
          snapshots,
          source: store,
          clock,
          rows: config.snapshotRows,
          everyMs: 10 * 60_000,
        })
      : null;
  const salts: SaltStore = clickhouse?.salts ?? new FileSaltStore(config.dataDir);
  await salts.prune(clock());
  const adminToken = await resolveAdminToken(config.adminToken, config.dataDir);
  const distDir = options.distDir ?? join(import.meta.dirname, '..', 'dist');
  const beacon = await loadAsset(join(distDir, 'beacon.js'), 'application/javascript; charset=utf-8');
  const drops = new DropCounter();
  const saltTimer = setInterval(() => void salts.prune(clock()).catch(() => undefined), 60 * 60 * 1000);
  saltTimer.unref();
  // The query index loads the history in the background; /healthz reports its progress. With
  // ClickHouse the queries run in ClickHouse instead, so every collector sees every collector's events.
  const index = clickhouse
    ? new ClickHouseQueryBackend(clickhouse.queries)
    : new MemoryBackend(clock, schedule?.warmStart);
  if (schedule && index instanceof MemoryBackend) schedule.start(index);
  const queryReady = index.load(store).catch((error: Error) => {
    console.error(`query index: loading the stored events failed: ${error.message}`);
  });
  // The index holds records in memory too, so erasure and purges must reach it. Both wait for the
  // history load: a load still reading a purged or rewritten file would otherwise put the removed
  // rows back into memory after they were dropped.
  const dropUser = async (userId: string) => {
    await queryReady;
    index.retain((r) => r.user !== userId);
    snapshots?.release();
  };
  const dropBefore = async (firstKeptDay: string) => {
    await queryReady;
    index.retain((r) => r.ts >= Date.parse(`${firstKeptDay}T00:00:00Z`));
    snapshots?.release();
  };
  const query = new QueryService({
    backend: index,
    clock,
    cards,
    cacheMs: config.queryCacheMs,
    defaultFunnelSites: config.defaultCardsSites,
  });
  // The first dashboard view after start-up would build the cached whole-day rollups of its
  // range (about 1 s for 90 days of 1M events): build them now, in the background, shortest
  // range first so no single step holds the event loop long.
  if (index instanceof MemoryBackend)
    void queryReady.then(async () => {
      for (const days of [1, 7, 30, 90]) {
        await new Promise((resolve) => setImmediate(resolve));
        await query.overall({ days }).catch(() => undefined);
      }
      index.warm = true;
    });
  const retention =
    config.retentionDays === null
      ? null
      : startRetention({
          store,
          retentionDays: config.retentionDays,
          clock,
          onPurged: dropBefore,
        });

  const app = createApp({
    beacon,
    adminToken,
    auth: {
      adminToken,
      writeKey: config.writeKey,
      failures: new FailedAuthLimiter(),
      trustProxy: config.trustProxy,
      clock,
    },
    userData: {
      store,
      onErased: dropUser,
    },
    clock,
    trustProxy: config.trustProxy,
    rateLimiter: new RateLimiter(config.rateLimit, config.rateBurst),
    ingest: {
      store,
      salts,
      geolocate: options.geolocate ?? geolocate,
      userAgents: new UserAgentParser(),
      clock,
      drops,
      sites: config.sites,
      honorGpc: config.honorGpc,
      onStored: (records) => index.add(records),
      spamReferrers: await loadReferrerSpam(),
    },
    health: () => ({ store: store.health(), query_index: index.status() }),
    extraRoutes: [
      analyticsRoutes(query, config.sites),
      trackRoutes({ store, clock, sites: config.sites, onStored: (records) => index.add(records) }),
      await dashboardRoutes(join(distDir, 'dashboard')),
    ],
  });

  return {
    app,
    store,
    adminToken,
    query,
    queryReady,
    async close() {
      clearInterval(saltTimer);
      await retention?.stop();
      index.stop();
      await queryReady;
      await store.close();
      // After the store closed nothing is appended, so the last snapshot holds every stored record.
      await schedule?.close();
      await clickhouse?.queries.close();
    },
  };
}
