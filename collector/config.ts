import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { DEFAULT_CAP_LIMITS, type CapLimits } from './growth-caps.ts';
import type { ServerLimits } from './server-limits.ts';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** null: generate on first start and keep in the data dir */
  adminToken: string | null;
  /** lets server-side trackers POST to /api/analytics without the admin token; null: none */
  writeKey: string | null;
  /** lower-case site domains; empty means any site is accepted */
  sites: string[];
  /** which X-Forwarded-For hops were added by the operator's proxies (collector/client-ip.ts); null: none */
  trustProxy: TrustProxy;
  /** lower-case header the proxies put the client address in */
  clientIpHeader: string;
  /**
   * ANALYTICS_CARDS_SITES: the sites the shipped CloudFace cards and default funnel
   * belong to (default none: they show only in the all-sites view)
   */
  defaultCardsSites: string[];
  /** drop events whose request carries Sec-GPC: 1 */
  honorGpc: boolean;
  /** ingestion requests per second per client; 0 turns the limit off */
  rateLimit: number;
  rateBurst: number;
  retentionDays: number | null;
  /** JSON file of metric cards (query/cards-config.ts); null: the shipped CloudFace cards */
  metricsFile: string | null;
  /** how long an overall/users/virality answer is reused while no new record arrived; 0: never */
  queryCacheMs: number;
  /** how long queries may hold the event loop in one turn before answering 503 (in-memory engine) */
  queryTimeoutMs: number;
  /** JSON store: write an index snapshot after this many new rows or 10 min (0: no snapshots at all) */
  snapshotRows: number;
  /** per site and UTC day bounds on distinct values from ingestion (collector/growth-caps.ts) */
  caps: CapLimits;
  /** client deadlines and the connection cap of the HTTP server */
  server: ServerLimits;
  /** where events live: JSON Lines files (default) or ClickHouse */
  store: 'json' | 'clickhouse';
  /** set when store is 'clickhouse' */
  clickhouse: ClickHouseConfig | null;
}

/**
 * `{ hops: n }`: n proxies in front, the client is the n-th X-Forwarded-For hop from the right.
 * `{ proxies }`: the proxies' addresses and CIDR networks, skipped from the right.
 */
export type TrustProxy = null | { hops: number } | { proxies: string[] };

export interface ClickHouseConfig {
  url: string;
  database: string;
  user: string;
  password: string;
  /** rows per insert before the time trigger */
  batchRows: number;
  /** longest an event waits for its insert, ms */
  flushMs: number;
  /** a cluster of shards: its remote_servers name and every node's HTTP URL (docs/scaling.md) */
  cluster: { name: string; urls: string[] } | null;
}

/** A configuration value that cannot work; the message names the variable and the value. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

/** Reads and checks the environment once at start; every error names its variable. */
export function loadConfig(env: Env, cwd = process.cwd()): Config {
  return {
    port: integer(env, 'PORT', 8550, 0, 65535),
    host: env.HOST?.trim() || '0.0.0.0',
    dataDir: resolve(cwd, env.ANALYTICS_DATA_DIR?.trim() || './data'),
    adminToken: adminToken(env),
    writeKey: secret(env, 'ANALYTICS_WRITE_KEY'),
    sites: sites(env),
    ...clientIpConfig(env),
    defaultCardsSites: env.ANALYTICS_CARDS_SITES?.trim() ? sites(env, 'ANALYTICS_CARDS_SITES') : [],
    honorGpc: flag(env, 'ANALYTICS_HONOR_GPC', true),
    rateLimit: integer(env, 'ANALYTICS_RATE_LIMIT', 20, 0, 1_000_000),
    rateBurst: integer(env, 'ANALYTICS_RATE_BURST', 100, 1, 1_000_000),
    retentionDays: env.ANALYTICS_RETENTION_DAYS
      ? integer(env, 'ANALYTICS_RETENTION_DAYS', 0, 1, 36500)
      : null,
    metricsFile: env.ANALYTICS_METRICS_FILE?.trim() ? resolve(cwd, env.ANALYTICS_METRICS_FILE.trim()) : null,
    queryCacheMs: integer(env, 'ANALYTICS_QUERY_CACHE_MS', 10_000, 0, 3_600_000),
    queryTimeoutMs: integer(env, 'ANALYTICS_QUERY_TIMEOUT_MS', 5_000, 100, 600_000),
    snapshotRows: integer(env, 'ANALYTICS_SNAPSHOT_ROWS', 100_000, 0, 100_000_000),
    caps: capLimits(env),
    server: serverLimits(env),
    ...storeConfig(env),
  };
}

function serverLimits(env: Env): ServerLimits {
  const headersTimeoutMs = integer(env, 'ANALYTICS_HEADERS_TIMEOUT_MS', 10_000, 100, 600_000);
  const requestTimeoutMs = integer(env, 'ANALYTICS_REQUEST_TIMEOUT_MS', 20_000, 100, 3_600_000);
  // Node refuses a header deadline later than the request deadline.
  if (requestTimeoutMs < headersTimeoutMs) {
    throw new ConfigError(
      `ANALYTICS_REQUEST_TIMEOUT_MS must be at least ANALYTICS_HEADERS_TIMEOUT_MS (${headersTimeoutMs}), got ${JSON.stringify(String(requestTimeoutMs))}`,
    );
  }
  return {
    headersTimeoutMs,
    requestTimeoutMs,
    keepAliveTimeoutMs: integer(env, 'ANALYTICS_KEEP_ALIVE_TIMEOUT_MS', 5_000, 100, 600_000),
    maxConnections: integer(env, 'ANALYTICS_MAX_CONNECTIONS', 1000, 1, 1_000_000),
  };
}

function storeConfig(env: Env): Pick<Config, 'store' | 'clickhouse'> {
  const store = env.ANALYTICS_STORE?.trim().toLowerCase() || 'json';
  if (store !== 'json' && store !== 'clickhouse') {
    throw new ConfigError(
      `ANALYTICS_STORE must be json or clickhouse, got ${JSON.stringify(env.ANALYTICS_STORE)}`,
    );
  }
  if (store === 'json') return { store, clickhouse: null };
  const url = env.CLICKHOUSE_URL?.trim() || 'http://127.0.0.1:8123';
  if (!/^https?:\/\/[^\s/]+/.test(url)) {
    throw new ConfigError(`CLICKHOUSE_URL must be an http(s) URL, got ${JSON.stringify(url)}`);
  }
  const database = env.CLICKHOUSE_DATABASE?.trim() || 'cloudface';
  // Only plain identifiers: the name goes into DDL, and quoting it would hide typos.
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(database)) {
    throw new ConfigError(
      `CLICKHOUSE_DATABASE must be letters, digits and _, got ${JSON.stringify(database)}`,
    );
  }
  return {
    store,
    clickhouse: {
      url,
      database,
      user: env.CLICKHOUSE_USER?.trim() || 'default',
      password: env.CLICKHOUSE_PASSWORD ?? '',
      batchRows: integer(env, 'CLICKHOUSE_BATCH_ROWS', 5000, 1, 1_000_000),
      flushMs: integer(env, 'CLICKHOUSE_FLUSH_MS', 1000, 1, 60_000),
      cluster: clusterConfig(env),
    },
  };
}

const HTTP_URL = /^https?:\/\/[^\s/]+/;

function clusterConfig(env: Env): ClickHouseConfig['cluster'] {
  const name = env.CLICKHOUSE_CLUSTER?.trim();
  const urls = (env.CLICKHOUSE_CLUSTER_URLS ?? '')
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);
  if (!name) {
    if (urls.length > 0)
      throw new ConfigError('CLICKHOUSE_CLUSTER_URLS needs CLICKHOUSE_CLUSTER (the remote_servers name)');
    return null;
  }
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
    throw new ConfigError(`CLICKHOUSE_CLUSTER must be letters, digits and _, got ${JSON.stringify(name)}`);
  // Without ZooKeeper there is no ON CLUSTER: the schema is made on each node through its URL.
  if (urls.length === 0)
    throw new ConfigError('CLICKHOUSE_CLUSTER needs CLICKHOUSE_CLUSTER_URLS: the HTTP URL of every node');
  const bad = urls.find((u) => !HTTP_URL.test(u));
  if (bad) throw new ConfigError(`CLICKHOUSE_CLUSTER_URLS must be http(s) URLs, got ${JSON.stringify(bad)}`);
  return { name, urls };
}

const CAP_VARIABLES: Record<keyof CapLimits, string> = {
  sitesPerDay: 'ANALYTICS_CAP_SITES_DAY',
  sites: 'ANALYTICS_CAP_SITES',
  names: 'ANALYTICS_CAP_NAMES',
  propKeysPerName: 'ANALYTICS_CAP_NAME_KEYS',
  propKeys: 'ANALYTICS_CAP_PROP_KEYS',
  paths: 'ANALYTICS_CAP_PATHS',
  referrers: 'ANALYTICS_CAP_REFERRERS',
  utm: 'ANALYTICS_CAP_UTM',
  links: 'ANALYTICS_CAP_LINKS',
};

function capLimits(env: Env): CapLimits {
  const limits = { ...DEFAULT_CAP_LIMITS };
  for (const [key, name] of Object.entries(CAP_VARIABLES) as [keyof CapLimits, string][])
    limits[key] = integer(env, name, DEFAULT_CAP_LIMITS[key], 1, 100_000_000);
  return limits;
}

// Convenience names for ANALYTICS_TRUST_PROXY lists: a proxy on the same host, or on a private
// network (a Docker bridge, a load balancer in the same VPC).
const NAMED_NETWORKS: Record<string, string[]> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  private: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

function clientIpConfig(env: Env): Pick<Config, 'trustProxy' | 'clientIpHeader'> {
  const trustProxy = trustProxyValue(env);
  const rawHeader = env.ANALYTICS_CLIENT_IP_HEADER?.trim().toLowerCase();
  if (rawHeader && !/^[a-z0-9-]+$/.test(rawHeader)) {
    throw new ConfigError(
      `ANALYTICS_CLIENT_IP_HEADER must be a header name such as x-real-ip, got ${JSON.stringify(env.ANALYTICS_CLIENT_IP_HEADER)}`,
    );
  }
  if (rawHeader && trustProxy === null) {
    throw new ConfigError(
      `ANALYTICS_CLIENT_IP_HEADER=${rawHeader} needs ANALYTICS_TRUST_PROXY: without a trusted proxy anyone could set that header`,
    );
  }
  return { trustProxy, clientIpHeader: rawHeader || 'x-forwarded-for' };
}

function trustProxyValue(env: Env): TrustProxy {
  const raw = env.ANALYTICS_TRUST_PROXY?.trim().toLowerCase();
  if (!raw || ['0', 'false', 'no', 'off'].includes(raw)) return null;
  // `1`/`true` kept their meaning from before hop counts existed: one proxy in front.
  if (['true', 'yes', 'on'].includes(raw)) return { hops: 1 };
  const bad = (why: string) =>
    new ConfigError(
      `ANALYTICS_TRUST_PROXY must be a number of proxy hops (1-32) or a comma list of proxy addresses/CIDRs (${why}), got ${JSON.stringify(env.ANALYTICS_TRUST_PROXY)}`,
    );
  if (/^\d+$/.test(raw)) {
    if (Number(raw) > 32) throw bad('at most 32 hops');
    return { hops: Number(raw) };
  }
  const proxies: string[] = [];
  for (const item of raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (NAMED_NETWORKS[item]) {
      proxies.push(...NAMED_NETWORKS[item]);
      continue;
    }
    const [address, prefix, extra] = item.split('/') as [string, string | undefined, unknown];
    const family = isIP(address);
    if (family === 0 || extra !== undefined) throw bad(`${JSON.stringify(item)} is not an address`);
    const max = family === 4 ? 32 : 128;
    if (prefix !== undefined && (!/^\d+$/.test(prefix) || Number(prefix) > max))
      throw bad(`${JSON.stringify(item)} has a bad prefix length`);
    proxies.push(item);
  }
  if (proxies.length === 0) throw bad('empty list');
  return { proxies };
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return Number(raw);
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(`${name} must be 1 or 0 (true/false), got ${JSON.stringify(env[name])}`);
}

function adminToken(env: Env): string | null {
  return secret(env, 'ANALYTICS_ADMIN_TOKEN');
}

function secret(env: Env, name: string): string | null {
  const raw = env[name];
  if (raw === undefined || raw === '') return null;
  if (raw.length < 16 || /\s/.test(raw)) {
    // The value itself is not echoed: it is a secret even when it is a bad one.
    throw new ConfigError(`${name} must be at least 16 characters without spaces`);
  }
  return raw;
}

function sites(env: Env, name = 'ANALYTICS_SITES'): string[] {
  const raw = env[name]?.trim();
  if (!raw) return [];
  const list = raw
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  for (const site of list) {
    if (!/^[a-z0-9.-]+(:\d{1,5})?$/.test(site)) {
      throw new ConfigError(`${name} must be comma-separated domain names, got ${JSON.stringify(site)}`);
    }
  }
  return list;
}
