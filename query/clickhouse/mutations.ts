import type { ClickHouseConnection } from './connection.ts';
import { TABLES } from './ddl.ts';
import { exec } from './migrate.ts';
import { ident, sql, type SqlFragment } from './sql.ts';

/**
 * Runs `ALTER TABLE <table> DELETE WHERE <where>` (events by default) and resolves once the rows
 * are gone from disk.
 * 18.16 has no `mutations_sync`, so this polls system.mutations (about 100 ms per poll) until
 * every mutation of the table is done; newer servers are polled the same way, which is portable.
 */
export async function deleteWhere(
  conn: ClickHouseConnection,
  where: SqlFragment,
  timeoutMs = 120_000,
  name: string = TABLES.events,
): Promise<void> {
  // A Distributed table takes no ALTER DELETE: each node deletes from its own table.
  if (conn.cluster) {
    await Promise.all(conn.cluster.nodes.map((node) => deleteWhere(node, where, timeoutMs, name)));
    return;
  }
  const table = sql`${ident(conn.database)}.${ident(name)}`;
  await exec(conn, sql`ALTER TABLE ${table} DELETE WHERE ${where}`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await conn.client.query({
      query:
        sql`SELECT count() AS pending FROM system.mutations WHERE database = ${conn.database} AND table = ${name} AND is_done = 0`
          .text,
      format: 'JSONEachRow',
      clickhouse_settings: conn.settings,
    });
    const [row] = await result.json<{ pending: number | string }>();
    if (Number(row?.pending ?? 0) === 0) return;
    if (Date.now() > deadline) throw new Error('ClickHouse delete did not finish in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
