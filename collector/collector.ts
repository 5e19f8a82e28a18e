import { join } from 'node:path';
import { FileSaltStore } from '../storage/salts.ts';
import { JsonlStore } from '../storage/jsonl-store.ts';
import { systemClock, type Clock, type EventStore } from '../storage/types.ts';
import { resolveAdminToken } from './admin-token.ts';
import { createApp } from './app.ts';
import { dashboardRoutes } from './routes/dashboard.ts';
import { loadAsset } from './assets.ts';
import type { Config } from './config.ts';
import { DropCounter } from './drop-counter.ts';
import { geolocate, type Geolocate } from './pipeline/geo.ts';
import { UserAgentParser } from './pipeline/user-agent.ts';
import { RateLimiter } from './rate-limit.ts';
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
  close(): Promise<void>;
}

/** Wires the collector's parts from configuration; the server module only adds a socket. */
export async function createCollector(options: CollectorOptions): Promise<Collector> {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const store = options.store ?? (await JsonlStore.open({ dataDir: config.dataDir, clock }));
  const salts = new FileSaltStore(config.dataDir);
  await salts.prune(clock());
  const adminToken = await resolveAdminToken(config.adminToken, config.dataDir);
  const distDir = options.distDir ?? join(import.meta.dirname, '..', 'dist');
  const beacon = await loadAsset(join(distDir, 'beacon.js'), 'application/javascript; charset=utf-8');
  const drops = new DropCounter();
  const saltTimer = setInterval(() => void salts.prune(clock()).catch(() => undefined), 60 * 60 * 1000);
  saltTimer.unref();

  const app = createApp({
    beacon,
    adminToken,
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
    },
    health: () => ({ store: store.health() }),
    extraRoutes: [await dashboardRoutes(join(distDir, 'dashboard'))],
  });

  return {
    app,
    store,
    adminToken,
    async close() {
      clearInterval(saltTimer);
      await store.close();
    },
  };
}
