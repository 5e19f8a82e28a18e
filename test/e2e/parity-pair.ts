import { expect } from 'vitest';
import { openClickHouse } from '../../query/clickhouse/open.ts';
import { ClickHouseQueryBackend } from '../../query/clickhouse/backend.ts';
import type { ClickHouseConnection } from '../../query/clickhouse/connection.ts';
import { JsonlStore } from '../../storage/jsonl-store.ts';
import type { MetricCardConfig } from '../../shared/api.ts';
import { MemoryBackend } from '../../query/memory/backend.ts';
import { QueryService } from '../../query/service.ts';
import type { StoredRecord } from '../../storage/schema.ts';
import type { Clock } from '../../storage/types.ts';
import { tempDir } from '../support/helpers.ts';
import { startClickHouse, startClickHouseCluster } from '../support/clickhouse-server.ts';

/**
 * How many shards the parity tests run ClickHouse on: vitest.config.ts runs them once on one
 * server (project e2e) and once on a two-shard cluster (project e2e-cluster).
 */
export const SHARDS = Number(process.env.CFA_CLICKHOUSE_SHARDS ?? 1);

/** One server, or a cluster of SHARDS servers, on loopback; `cluster` is what openClickHouse takes. */
export async function startTopology(): Promise<{
  url: string;
  cluster: { name: string; urls: string[] } | null;
  destroy(): Promise<void>;
}> {
  if (SHARDS <= 1) {
    const server = await startClickHouse();
    return { url: server.url, cluster: null, destroy: () => server.destroy() };
  }
  const cluster = await startClickHouseCluster('analytics', SHARDS);
  return {
    url: cluster.urls[0]!,
    cluster: { name: cluster.name, urls: cluster.urls },
    destroy: () => cluster.destroy(),
  };
}

export interface ParityPair {
  /** the in-memory engine over the JSON Lines store */
  memory: QueryService;
  /** the ClickHouse backend over a private server or cluster (SHARDS) */
  clickhouse: QueryService;
  /** runs `call` on both and expects equal answers; returns the in-memory one */
  same<T>(call: (service: QueryService) => Promise<T>): Promise<T>;
  /** appends late records to both (through the stores, as collectors do) */
  append(records: StoredRecord[]): Promise<void>;
  /** erases a user in both, as the erasure route does */
  eraseUser(userId: string): Promise<void>;
  /** purges the days before `firstKeptDay` in both, as the retention job does */
  purgeBefore(firstKeptDay: string): Promise<void>;
  /** the ClickHouse query backend (its rollup builder: `backend.builder`) */
  backend: ClickHouseQueryBackend;
  /** the backend's connection (on a cluster, with every node's) */
  connection: ClickHouseConnection;
  close(): Promise<void>;
}

/**
 * The same records in both backends: a private clickhouse-server and a JSON Lines store in a temp
 * dir, each behind its own QueryService, so a parity test only states the data and the questions.
 */
export async function openParityPair(
  records: Iterable<StoredRecord>,
  options: {
    database: string;
    clock: Clock;
    cards: readonly MetricCardConfig[];
    batchRows?: number;
    /** roll every closed day up before the first question (query/clickhouse/rollup-build.ts) */
    rollups?: boolean;
  },
): Promise<ParityPair> {
  const server = await startTopology();
  const dir = await tempDir();
  const { clock, cards } = options;
  let json: JsonlStore | null = null;
  let ch: Awaited<ReturnType<typeof openClickHouse>> | null = null;
  const index = new MemoryBackend(clock);
  try {
    json = await JsonlStore.open({ dataDir: dir.dir, clock, compressEveryMs: 0 });
    ch = await openClickHouse({
      url: server.url,
      cluster: server.cluster,
      database: options.database,
      dataDir: dir.dir,
      clock,
      batchRows: options.batchRows ?? 20_000,
    });
    let batch: StoredRecord[] = [];
    const flush = async () => {
      await Promise.all([json!.append(batch), ch!.store.append(batch)]);
      batch = [];
    };
    for (const record of records) {
      batch.push(record);
      if (batch.length === 20_000) await flush();
    }
    await flush();
    await index.load(json);
  } catch (error) {
    // The suite's afterAll never sees a pair, so the servers and files go here.
    await json?.close();
    await ch?.close();
    await server.destroy();
    await dir.cleanup();
    throw error;
  }
  const [jsonStore, chBackend] = [json, ch];
  // With `rollups`, every closed day is rolled up before the first question, so the answers
  // compare the rollups (and the raw rest of each range) with the in-memory engine; no timer runs
  // after that. Without, no builder runs and every answer is computed raw.
  const backend = new ClickHouseQueryBackend(chBackend.queries, {
    cards,
    clock,
    // On a cluster each node builds from its own partitions (ClusterRollupBuilder).
    build: options.rollups ?? false,
    buildEveryMs: 3_600_000,
  });
  await backend.start();
  await backend.builder?.settle();
  const memory = new QueryService({ backend: index, clock, cards });
  const clickhouse = new QueryService({ backend, clock, cards });
  return {
    memory,
    clickhouse,
    async same(call) {
      const [a, b] = await Promise.all([call(memory), call(clickhouse)]);
      expect(b).toEqual(a);
      return a;
    },
    backend,
    connection: chBackend.queries,
    async append(records) {
      await Promise.all([jsonStore.append(records), chBackend.store.append(records)]);
      index.add(records);
    },
    async eraseUser(userId) {
      await Promise.all([jsonStore.eraseUser(userId), chBackend.store.eraseUser(userId)]);
      index.retain((r) => r.user !== userId);
      backend.retain(() => true);
    },
    async purgeBefore(firstKeptDay) {
      await Promise.all([jsonStore.purgeBefore(firstKeptDay), chBackend.store.purgeBefore(firstKeptDay)]);
      const start = Date.parse(`${firstKeptDay}T00:00:00Z`);
      index.retain((r) => r.ts >= start);
      backend.retain(() => true);
    },
    async close() {
      await backend.stop();
      await jsonStore.close();
      await chBackend.close();
      await server.destroy();
      await dir.cleanup();
    },
  };
}
