import { join } from 'node:path';
import { FileSaltStore, type SaltStore } from '../storage/salts.ts';
import { FileSettingsStore } from '../storage/settings/file-settings-store.ts';
import type { SettingsStore } from '../storage/settings/settings-store.ts';
import { openClickHouse } from '../query/clickhouse/open.ts';
import { ClickHouseQueryBackend } from '../query/clickhouse/backend.ts';
import { systemClock, type Clock, type EventStore } from '../storage/types.ts';
import { resolveAdminToken } from '../collector/admin-token.ts';
import { FailedAuthLimiter } from '../collector/auth.ts';
import { AccessStore } from '../collector/access/access-store.ts';
import { clientIpResolver } from '../collector/client-ip.ts';
import { createApp } from '../collector/app.ts';
import { dashboardRoutes } from '../collector/routes/dashboard.ts';
import { loadAsset } from '../collector/assets.ts';
import { ConfigError, type Config } from '../collector/config.ts';
import { analyticsRoutes } from './routes/analytics.ts';
import { trackRoutes } from './routes/analytics-track.ts';
import { goalRoutes } from './routes/analytics-goals.ts';
import { Annotations } from '../query/goals/annotations.ts';
import { CardSettings } from '../query/goals/cards.ts';
import { Goals } from '../query/goals/goals.ts';
import { savedAnalysisRoutes } from './routes/saved-analysis.ts';
import { requester } from '../collector/access/guard.ts';
import { allows } from '../collector/access/roles.ts';
import { segmentOwner } from '../shared/api.ts';
import { loadCards } from '../query/cards-config.ts';
import { MemoryBackend } from '../query/memory/backend.ts';
import { openMemoryBackend } from '../query/memory/open.ts';
import { QueryService } from '../query/service.ts';
import { QueryBudget, QueryTimeoutError } from '../query/budget.ts';
import { DropCounter } from '../collector/drop-counter.ts';
import { startGrowthCaps } from './growth-caps-seed.ts';
import { geolocate, type Geolocate } from '../collector/pipeline/geo.ts';
import { UserAgentParser } from '../collector/pipeline/user-agent.ts';
import { RateLimiter } from '../collector/rate-limit.ts';
import { loadReferrerSpam } from '../collector/referrer-spam.ts';
import { startRetention } from '../collector/retention-job.ts';
import type { Hono } from 'hono';

export interface CollectorOptions {
  config: Config;
  clock?: Clock;
  /** defaults to the JSON Lines store in config.dataDir */
  store?: EventStore;
  /** defaults to ClickHouse's settings table, or settings.json in config.dataDir */
  settings?: SettingsStore;
  geolocate?: Geolocate;
  /** folder holding the built beacon.js, beacon.debug.js (and dashboard); defaults to ./dist */
  distDir?: string;
}

export interface Collector {
  app: Hono;
  store: EventStore;
  /** accounts, goals and the rest an admin changes at run time, kept with the events' store */
  settings: SettingsStore;
  adminToken: string;
  /** the query API as functions (what the routes call) */
  query: QueryService;
  /** resolves once the query index has loaded the stored history */
  queryReady: Promise<void>;
  /** builds the dashboard ranges' rollups in slices; call once the port listens */
  warmUp(): Promise<void>;
  close(): Promise<void>;
}

// The warm-up's slices: short, so /healthz waits at most about this long during it.
const WARM_SLICE_MS = 250;
const WARM_PAUSE_MS = 20;

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
  const budget = new QueryBudget(config.queryTimeoutMs);
  // Our own JSON store and the in-memory index over it (query/memory/open.ts).
  const memory =
    !options.store && !clickhouse
      ? await openMemoryBackend({ dataDir: config.dataDir, clock, snapshotRows: config.snapshotRows, budget })
      : null;
  const store = options.store ?? clickhouse?.store ?? memory!.store;
  const salts: SaltStore = clickhouse?.salts ?? new FileSaltStore(config.dataDir);
  const settings: SettingsStore =
    options.settings ?? clickhouse?.settings ?? new FileSettingsStore(config.dataDir, { clock });
  await salts.prune(clock());
  const adminToken = await resolveAdminToken(config.adminToken, config.dataDir);
  const distDir = options.distDir ?? join(import.meta.dirname, '..', 'dist');
  const beacon = await loadAsset(join(distDir, 'beacon.js'), 'application/javascript; charset=utf-8');
  const beaconDebug = await loadAsset(
    join(distDir, 'beacon.debug.js'),
    'application/javascript; charset=utf-8',
  );
  const drops = new DropCounter();
  const saltTimer = setInterval(() => void salts.prune(clock()).catch(() => undefined), 60 * 60 * 1000);
  saltTimer.unref();
  // The query index loads the history in the background; /healthz reports its progress. With
  // ClickHouse the queries run in ClickHouse instead, so every collector sees every collector's events.
  const index = clickhouse
    ? new ClickHouseQueryBackend(clickhouse.queries, { cards, clock })
    : (memory?.backend ?? new MemoryBackend(clock, undefined, budget));
  // Replayed rows land in closed days: rebuild their rollups now rather than within a minute.
  if (clickhouse && index instanceof ClickHouseQueryBackend)
    clickhouse.store.onReplayed = () => index.changed();
  // The load starts once everything else is set up (see the end), so the server binds its port
  // before the history's CPU-heavy part runs.
  let startLoad!: () => void;
  const loadStarted = new Promise<void>((resolve) => (startLoad = resolve));
  const queryReady = loadStarted
    .then(() => index.load(store))
    .catch((error: Error) => {
      console.error(`query index: loading the stored events failed: ${error.message}`);
    });
  // The index holds records in memory too, so erasure and purges must reach it. Both wait for the
  // history load: a load still reading a purged or rewritten file would otherwise put the removed
  // rows back into memory after they were dropped.
  const dropUser = async (userId: string) => {
    await queryReady;
    index.retain((r) => r.user !== userId);
    memory?.snapshots?.release();
  };
  const dropBefore = async (firstKeptDay: string) => {
    await queryReady;
    index.retain((r) => r.ts >= Date.parse(`${firstKeptDay}T00:00:00Z`));
    memory?.snapshots?.release();
  };
  // Cards edited in the dashboard live in the settings store; the file's cards are the initial set.
  const cardSettings = new CardSettings(settings, cards);
  const query = new QueryService({
    backend: index,
    clock,
    cards: cardSettings.forView,
    cacheMs: config.queryCacheMs,
    budget,
    defaultFunnelSites: config.defaultCardsSites,
  });
  let closing = false;
  // The first dashboard view after start-up would build the cached whole-day rollups of its
  // range (about 1 s for 90 days of 1M events). The server calls this once it listens, so
  // /healthz and ingestion answer meanwhile: one range per turn of the event loop, shortest first,
  // each slice bounded by a budget of WARM_SLICE_MS. A range that runs out of it keeps the day
  // blocks it finished (rollup.ts) and is tried again on a later turn, a few times at most.
  const warmUp = async (): Promise<void> => {
    if (!(index instanceof MemoryBackend)) return;
    await queryReady;
    for (const days of [1, 7, 30, 90])
      for (let attempt = 0; attempt < 5; attempt++) {
        // A pause of a few turns lets /healthz and ingestion through between slices.
        await new Promise((resolve) => setTimeout(resolve, WARM_PAUSE_MS));
        if (closing) return;
        budget.pin(WARM_SLICE_MS);
        const done = await query.overall({ days }).then(
          () => true,
          (error: unknown) => !(error instanceof QueryTimeoutError),
        );
        if (done) break;
      }
    index.warm = true;
  };
  const retention =
    config.retentionDays === null
      ? null
      : startRetention({
          store,
          retentionDays: config.retentionDays,
          clock,
          onPurged: dropBefore,
        });

  const caps = startGrowthCaps(config, clock, index, queryReady);
  const clientIp = clientIpResolver({ trust: config.trustProxy, header: config.clientIpHeader });
  const app = createApp({
    beacon,
    beaconDebug,
    adminToken,
    auth: {
      store: new AccessStore(settings, clock),
      adminToken,
      writeKey: config.writeKey,
      failures: new FailedAuthLimiter(),
      clientIp,
      clock,
      trustProxy: config.trustProxy !== null,
    },
    userData: {
      store,
      onErased: dropUser,
    },
    clock,
    clientIp,
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
      caps,
    },
    readiness: () => {
      const { ready, progress, warm } = index.status();
      return { query_index: { ready, progress, warm } };
    },
    health: () => {
      // A salt that cannot be made fails ingestion like a failed append does, so it shows there too.
      const stored = store.health();
      const lastWriteError = stored.lastWriteError ?? salts.lastError?.() ?? null;
      return { store: { ...stored, lastWriteError }, query_index: index.status() };
    },
    extraRoutes: [
      analyticsRoutes(query, config.sites),
      goalRoutes({
        goals: new Goals({ settings, backend: index, clock, budget }),
        cards: cardSettings,
        annotations: new Annotations(settings, clock),
      }),
      savedAnalysisRoutes({
        service: query,
        settings,
        principal: (c) => segmentOwner(requester(c).kind, requester(c).name),
        maySave: (c) => !['link', 'api-key', 'write-key'].includes(requester(c).kind),
        managesSite: (c, site) => allows(requester(c).grants, 'manage-site', [site]),
      }),
      trackRoutes({
        store,
        clock,
        sites: config.sites,
        caps,
        seenSites: async () => {
          await queryReady;
          return index.sites();
        },
        onStored: (records) => index.add(records),
      }),
      await dashboardRoutes(join(distDir, 'dashboard'), {
        tokenFrom: config.adminToken ? 'env' : 'file',
      }),
    ],
  });

  startLoad();
  return {
    app,
    store,
    settings,
    adminToken,
    query,
    queryReady,
    warmUp,
    async close() {
      closing = true;
      clearInterval(saltTimer);
      await retention?.stop();
      await index.stop();
      await queryReady;
      // After the store closed nothing is appended, so the last snapshot holds every stored record.
      await (memory ? memory.close() : store.close());
      await settings.close();
      await clickhouse?.queries.close();
    },
  };
}
