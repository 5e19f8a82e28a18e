import { serverRecord } from '../collector/track.ts';
import type { PropValue } from '../storage/schema.ts';
import { systemClock, type Clock } from '../storage/types.ts';
import { DEFAULT_CARDS, loadCards } from '../query/cards-config.ts';
import { openMemoryBackend } from '../query/memory/open.ts';
import { QueryService } from '../query/service.ts';
import type {
  MetricCardConfig,
  OverallResponse,
  QueryResponse,
  RealtimeResponse,
  UserResponse,
  UsersResponse,
} from '../shared/api.ts';

export type * from '../shared/api.ts';

export interface AnalyticsOptions {
  /** the same folder the collector uses (ANALYTICS_DATA_DIR) */
  dataDir: string;
  clock?: Clock;
  /** site the tracked events belong to; default "localhost" */
  site?: string;
  /** metric cards: a list, or the path of a JSON file; default the CloudFace cards */
  cards?: MetricCardConfig[] | string;
}

export interface RangeOptions {
  /** 1–365, default 30 */
  days?: number;
  /** inclusive ISO dates instead of days */
  from?: string;
  to?: string;
  /** restrict reads to one site; default every site */
  site?: string;
}

/** The seed's Python API in TypeScript: the same shapes as the HTTP API, without HTTP. */
export interface Analytics {
  trackAction(
    sessionId: string | null,
    userId: string | null,
    action: string,
    data?: Record<string, PropValue>,
  ): Promise<void>;
  trackShare(
    sessionId: string | null,
    userId: string | null,
    platform: string,
    data?: Record<string, PropValue>,
    recipientCount?: number,
  ): Promise<void>;
  /** null when the user has no record in the range */
  getUserAnalytics(userId: string, options?: RangeOptions): Promise<UserResponse | null>;
  getUsersAnalytics(
    options?: RangeOptions & { sort?: string; limit?: number; offset?: number },
  ): Promise<UsersResponse>;
  getOverallAnalytics(options?: RangeOptions): Promise<OverallResponse>;
  getRealtimeStats(options?: { site?: string }): Promise<RealtimeResponse>;
  /** the general query (POST /api/analytics/query body) */
  query(body: unknown): Promise<QueryResponse>;
  close(): Promise<void>;
}

/**
 * Opens the data folder, loads its events into the in-memory index and returns the API. Writes
 * are fsynced before the promise resolves, exactly like the collector's.
 */
export async function createAnalytics(options: AnalyticsOptions): Promise<Analytics> {
  const clock = options.clock ?? systemClock;
  const site = (options.site ?? 'localhost').toLowerCase();
  // The same start as the collector's (query/memory/open.ts): opening a big data folder reads
  // the index snapshot and only what was stored after it, and close() leaves a fresh one.
  const memory = await openMemoryBackend({
    dataDir: options.dataDir,
    clock,
    snapshotRows: 100_000,
    log: () => undefined,
  });
  const { store, backend } = memory;
  await backend.load(store);
  const cards = Array.isArray(options.cards)
    ? options.cards
    : options.cards
      ? await loadCards(options.cards)
      : DEFAULT_CARDS;
  const service = new QueryService({ backend, clock, cards });

  const write = async (kind: 'action' | 'share', body: Record<string, unknown>) => {
    const record = serverRecord(kind, body, site, clock());
    await store.append([record]);
    backend.add([record]);
  };
  const ids = (sessionId: string | null, userId: string | null) => ({
    ...(sessionId ? { session_id: sessionId } : {}),
    ...(userId ? { user_id: userId } : {}),
  });

  return {
    trackAction: (sessionId, userId, action, data = {}) =>
      write('action', { ...ids(sessionId, userId), action, data }),
    trackShare: (sessionId, userId, platform, data = {}, recipientCount = 0) =>
      write('share', { ...ids(sessionId, userId), platform, data, recipient_count: recipientCount }),
    getUserAnalytics: (userId, o = {}) => service.user(userId, o),
    getUsersAnalytics: (o = {}) => service.users(o as never),
    getOverallAnalytics: (o = {}) => service.overall(o),
    getRealtimeStats: (o = {}) => service.realtime(o),
    query: (body) => service.query(body),
    close: async () => {
      backend.stop();
      await memory.close();
    },
  };
}
