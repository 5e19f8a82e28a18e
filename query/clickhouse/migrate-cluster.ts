import type { ClickHouseConnection, ClusterNodes } from './connection.ts';
import { SHARD_KEY } from './cluster.ts';
import { TABLES } from './ddl.ts';
import { rows } from './run.ts';
import { ident, raw, sql, type SqlFragment } from './sql.ts';

/** Tables that stay on the first node only, read and written there by every collector. */
const UNSHARDED = new Set<string>([TABLES.salts, TABLES.settings]);

export interface ColumnInfo {
  name: string;
  type: string;
  default_kind: string;
  default_expression: string;
}

/**
 * The schema on a cluster of shards without ZooKeeper (18.16's `ON CLUSTER` needs it): every
 * node gets the single-server tables, made by `single`, in `<database>_local`, and in `database`
 * a Distributed table over each of them but the salts, sharded by SHARD_KEY. Each Distributed
 * table copies its local table's columns from system.columns, so a table or column that the
 * single-server migration gains is sharded too. MATERIALIZED columns become ALIAS there: 18.16
 * sends a Distributed insert's materialized values on and the shard refuses them, while an ALIAS
 * in a query is passed on by name and read from the shard's own column (partition pruning
 * included).
 */
export async function migrateCluster(
  conn: ClickHouseConnection,
  cluster: ClusterNodes,
  single: (node: ClickHouseConnection) => Promise<{ added: string[] }>,
): Promise<{ added: string[] }> {
  const added: string[] = [];
  for (const node of cluster.nodes) {
    const result = await single({ ...node, cluster: null });
    added.push(...result.added);
    await exec(node, sql`CREATE DATABASE IF NOT EXISTS ${ident(conn.database)}`);
    const tables = await rows<{ name: string }>(
      node,
      sql`SELECT name FROM system.tables WHERE database = ${node.database} AND engine LIKE '%MergeTree'`,
    );
    for (const { name } of tables.filter((t) => !UNSHARDED.has(t.name))) {
      const columns = await rows<ColumnInfo>(
        node,
        sql`SELECT name, type, default_kind, default_expression FROM system.columns
          WHERE database = ${node.database} AND table = ${name}`,
      );
      const target = sql`${ident(conn.database)}.${ident(name)}`;
      await exec(
        node,
        distributedTable(target, cluster.name, node.database, name, columns, shardKeyFor(columns)),
      );
      const present = await rows<{ name: string }>(
        node,
        sql`SELECT name FROM system.columns WHERE database = ${conn.database} AND table = ${name}`,
      );
      const have = new Set(present.map((c) => c.name));
      for (const column of columns.filter((c) => !have.has(c.name)))
        await exec(node, sql`ALTER TABLE ${target} ADD COLUMN ${columnDefinition(column)}`).catch(
          (error: Error) => {
            // Another collector starting at the same moment may have added it first.
            if (!/already exists/i.test(error.message)) throw error;
          },
        );
    }
  }
  return { added };
}

/** CREATE TABLE IF NOT EXISTS of a Distributed table over `local` on every shard. */
export function distributedTable(
  target: SqlFragment,
  cluster: string,
  localDb: string,
  local: string,
  columns: readonly ColumnInfo[],
  key = SHARD_KEY,
): SqlFragment {
  return sql`CREATE TABLE IF NOT EXISTS ${target} (
  ${raw(columns.map((c) => columnDefinition(c).text).join(',\n  '))}
) ENGINE = Distributed(${ident(cluster)}, ${ident(localDb)}, ${ident(local)}, ${raw(key)})`;
}

/**
 * The events' unit key where a table has its columns; tables without them (user_day, the
 * rollups) are filled on each shard by the shard itself, never through the Distributed table, so
 * any key will do and `rand()` is the one that needs no columns.
 */
function shardKeyFor(columns: readonly ColumnInfo[]): string {
  const names = new Set(columns.map((c) => c.name));
  return ['site', 'session', 'visitor'].every((n) => names.has(n)) ? SHARD_KEY : 'rand()';
}

function columnDefinition(c: ColumnInfo): SqlFragment {
  const kind = c.default_kind === 'MATERIALIZED' ? 'ALIAS' : c.default_kind;
  const tail = kind ? ` ${kind} ${c.default_expression}` : '';
  return sql`${ident(c.name)} ${raw(c.type + tail)}`;
}

async function exec(conn: ClickHouseConnection, statement: SqlFragment): Promise<void> {
  await conn.client.command({ query: statement.text, clickhouse_settings: conn.settings });
}
