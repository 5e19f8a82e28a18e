/**
 * A ClickHouse cluster of shards: where each record goes, and the server configuration that names
 * the shards. docs/scaling.md shows `remoteServersConfig`'s output for its example, and the e2e
 * harness (test/support/clickhouse-server.ts) starts its two shards with the same function, so
 * the documented recipe is the tested one.
 */

/** One ClickHouse server as the others reach it: host and native (TCP) port. */
export interface ShardReplica {
  host: string;
  port: number;
}

/**
 * The shard of a record: its session unit, (site, explicit session) or (site, visitor), the
 * same units session-build.ts sessionizes. So every record of a unit, hence of a session and of
 * a day-local visitor, lives on one shard; sharding by (site, visitor) alone would split an
 * explicit session that carries several visitor ids (with and without a user id).
 */
export const SHARD_KEY = `sipHash64(site, if(session != '', concat('s', session), concat('v', visitor)))`;

/**
 * The `config.d/` file that defines the cluster on every node: one `<shard>` per entry of
 * `shards`, each with its replicas. Without ZooKeeper use one replica per shard and plain
 * MergeTree tables (what the tests run); `internal_replication` lets ReplicatedMergeTree copy
 * inserts between replicas instead of the Distributed table writing to each.
 */
export function remoteServersConfig(cluster: string, shards: readonly (readonly ShardReplica[])[]): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(cluster)) throw new TypeError(`not a cluster name: ${cluster}`);
  const xml = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
  const shardXml = shards.map((replicas) => {
    const lines = replicas.map(
      (r) => `        <replica><host>${xml(r.host)}</host><port>${Math.trunc(r.port)}</port></replica>`,
    );
    return [
      '      <shard>',
      `        <internal_replication>${replicas.length > 1}</internal_replication>`,
      ...lines,
      '      </shard>',
    ].join('\n');
  });
  return `<?xml version="1.0"?>
<yandex>
  <remote_servers>
    <${cluster}>
${shardXml.join('\n')}
    </${cluster}>
  </remote_servers>
</yandex>
`;
}
