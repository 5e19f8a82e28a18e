import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { quoteString } from './sql.ts';

export interface ClickHouseOptions {
  url: string;
  database: string;
  user?: string;
  password?: string;
  /** per-request timeout; an insert that takes longer goes to the spool */
  requestTimeoutMs?: number;
  /** a cluster of shards (cluster.ts): its `remote_servers` name and the HTTP URL of every node */
  cluster?: { name: string; urls: readonly string[] } | null;
}

/** The nodes of a cluster, for what only runs on a node's own tables (DDL, deletes, partitions). */
export interface ClusterNodes {
  name: string;
  /** one connection per node, database = `<database>_local` where the data lives */
  nodes: ClickHouseConnection[];
}

/** A client plus what the server version allows, detected once at start. */
export interface ClickHouseConnection {
  client: ClickHouseClient;
  database: string;
  /** e.g. [18, 16, 1] */
  version: number[];
  /** settings every query sends: numbers as JSON numbers, and what old servers must be told */
  settings: Record<string, string | number>;
  /** set on a cluster: `database` then holds Distributed tables over each node's local ones */
  cluster?: ClusterNodes | null;
  close(): Promise<void>;
}

/**
 * Connects (without a default database, which may not exist yet) and reads the server version;
 * with `cluster`, also to every node, after checking that each one knows the cluster.
 */
export async function connectClickHouse(options: ClickHouseOptions): Promise<ClickHouseConnection> {
  if (!options.cluster) return connectOne(options);
  const { name, urls } = options.cluster;
  const nodes: ClickHouseConnection[] = [];
  try {
    for (const url of urls) {
      const node = await connectOne({ ...options, url, database: localDatabase(options.database) });
      nodes.push(node);
      const known = await node.client.query({
        query: `SELECT count() AS n FROM system.clusters WHERE cluster = ${quoteString(name)}`,
        format: 'JSONEachRow',
      });
      if (Number((await known.json<{ n: number | string }>())[0]?.n ?? 0) === 0)
        throw new Error(`ClickHouse at ${url} has no cluster ${JSON.stringify(name)} in its remote_servers`);
    }
    const main = await connectOne(options);
    // Synchronous: an insert is acknowledged once every shard holds its rows, not when they
    // wait in the node's queue (an insert that fails then goes to the spool, and a query right
    // after it sees it).
    main.settings.insert_distributed_sync = 1;
    return {
      ...main,
      cluster: { name, nodes },
      async close() {
        await Promise.all([main.close(), ...nodes.map((n) => n.close())]);
      },
    };
  } catch (error) {
    await Promise.all(nodes.map((n) => n.close()));
    throw error;
  }
}

/** Where a cluster node keeps its own tables; `database` holds the Distributed ones over them. */
export function localDatabase(database: string): string {
  return `${database}_local`;
}

async function connectOne(options: ClickHouseOptions): Promise<ClickHouseConnection> {
  const client = createClient({
    url: options.url,
    username: options.user || 'default',
    password: options.password ?? '',
    request_timeout: options.requestTimeoutMs ?? 30_000,
    // Off: collectors usually sit next to ClickHouse, where gzip costs more CPU than it saves.
    compression: { request: false, response: false },
  });
  try {
    const result = await client.query({ query: 'SELECT version() AS v', format: 'JSONEachRow' });
    const [row] = await result.json<{ v: string }>();
    const version = (row?.v ?? '0').split('.').map((n) => Number(n) || 0);
    return {
      client,
      database: options.database,
      version,
      settings: settingsFor(version),
      close: () => client.close(),
    };
  } catch (error) {
    await client.close();
    throw error;
  }
}

/** Settings for a server version: 18.x needs LowCardinality switched on explicitly. */
export function settingsFor(version: readonly number[]): Record<string, string | number> {
  const settings: Record<string, string | number> = { output_format_json_quote_64bit_integers: 0 };
  if ((version[0] ?? 0) < 19) settings.allow_experimental_low_cardinality_type = 1;
  return settings;
}
