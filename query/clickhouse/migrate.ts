import type { ClickHouseConnection } from './connection.ts';
import {
  TABLES,
  addMissingColumns,
  createEventsTable,
  createSaltsTable,
  createSettingsTable,
} from './ddl.ts';
import { ident, sql, type SqlFragment } from './sql.ts';
import { migrateCluster } from './migrate-cluster.ts';

/**
 * Creates the database and tables, and adds columns that storage/schema.ts gained since. Safe to
 * run on every start and from several collectors at once: each statement is idempotent or
 * computed from what the server reports.
 */
export async function migrate(conn: ClickHouseConnection): Promise<{ added: string[] }> {
  if (conn.cluster) return migrateCluster(conn, conn.cluster, migrate);
  const { database } = conn;
  await exec(conn, sql`CREATE DATABASE IF NOT EXISTS ${ident(database)}`);
  await exec(conn, createEventsTable(database));
  await exec(conn, createSaltsTable(database));
  await exec(conn, createSettingsTable(database));
  const result = await conn.client.query({
    query: sql`SELECT name FROM system.columns WHERE database = ${database} AND table = ${TABLES.events}`
      .text,
    format: 'JSONEachRow',
    clickhouse_settings: conn.settings,
  });
  const existing = new Set((await result.json<{ name: string }>()).map((r) => r.name));
  const alters = addMissingColumns(database, existing);
  const added: string[] = [];
  for (const alter of alters) {
    try {
      await exec(conn, alter);
      added.push(alter.text);
    } catch (error) {
      // Another collector starting at the same moment may have added it first.
      if (!/already exists/i.test((error as Error).message)) throw error;
    }
  }
  return { added };
}

/** Runs one statement that returns no rows. */
export async function exec(conn: ClickHouseConnection, statement: SqlFragment): Promise<void> {
  await conn.client.command({ query: statement.text, clickhouse_settings: conn.settings });
}
