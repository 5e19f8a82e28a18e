import { randomBytes } from 'node:crypto';
import type { ClickHouseConnection } from './connection.ts';
import {
  EVENTS_PARTITION,
  TABLES,
  addMissingColumns,
  createBlocksTable,
  createBuildsTable,
  createEventsTable,
  createRollupsTable,
  createSaltsTable,
  createSettingsTable,
  createUserDayTable,
  createUserDayView,
  eventColumns,
} from './ddl.ts';
import { ident, raw, sql, type SqlFragment } from './sql.ts';
import { retryLaterOnTimeout, rows } from './run.ts';
import { migrateCluster } from './migrate-cluster.ts';

/** Prefix of an events table of the monthly layout while migrate() copies it into the daily one. */
export const MOVING_PREFIX = 'events_monthly_';

/** A moving table untouched this long belongs to a collector that died while copying it. */
const ABANDONED_S = 3600;

/**
 * Creates the database and tables, adds columns that storage/schema.ts gained since, and moves an
 * events table of the old monthly layout to the daily one. Safe to run on every start and from
 * several collectors at once: each statement is idempotent or computed from what the server
 * reports, and the move is claimed by an atomic RENAME that only one collector wins.
 */
export async function migrate(conn: ClickHouseConnection): Promise<{ added: string[]; moved: number }> {
  if (conn.cluster) {
    const { added } = await migrateCluster(conn, conn.cluster, migrate);
    return { added, moved: 0 };
  }
  const { database } = conn;
  await exec(conn, sql`CREATE DATABASE IF NOT EXISTS ${ident(database)}`);
  const claimed = await claimOldLayout(conn);
  // user_day and its view come before any copy, so the copied rows fill user_day too.
  await exec(conn, createUserDayTable(database));
  await exec(conn, createEventsTable(database));
  await exec(conn, createUserDayView(database));
  await exec(conn, createSaltsTable(database));
  await exec(conn, createSettingsTable(database));
  await exec(conn, createRollupsTable(database));
  await exec(conn, createBuildsTable(database));
  await exec(conn, createBlocksTable(database));
  const added = await addColumns(conn, TABLES.events);
  let moved = 0;
  for (const table of claimed) moved += await moveInto(conn, table);
  return { added, moved };
}

/**
 * Renames the tables this collector is to copy: `events` when it still has the monthly layout
 * (the first collector to rename it wins; the others find the new table made), and the moving
 * tables of collectors that died while copying. Inserts arriving between the rename and the new
 * table fail and go to the spool, which replays them.
 */
async function claimOldLayout(conn: ClickHouseConnection): Promise<string[]> {
  const tables = await rows<{ name: string; partition_key: string; age: number }>(
    conn,
    sql`SELECT name, partition_key, toUInt64(now() - metadata_modification_time) AS age FROM system.tables
      WHERE database = ${conn.database} AND (name = ${TABLES.events} OR startsWith(name, ${MOVING_PREFIX}))`,
  );
  const claimed: string[] = [];
  for (const t of tables) {
    const old =
      t.name === TABLES.events
        ? t.partition_key.replace(/\s/g, '') !== EVENTS_PARTITION.replace(/\s/g, '')
        : Number(t.age) > ABANDONED_S;
    if (!old) continue;
    const name = MOVING_PREFIX + randomBytes(6).toString('hex');
    try {
      await exec(
        conn,
        sql`RENAME TABLE ${ident(conn.database)}.${ident(t.name)} TO ${ident(conn.database)}.${ident(name)}`,
      );
      claimed.push(name);
    } catch (error) {
      // Another collector renamed it first: that one copies it.
      if (!/doesn't exist|does not exist|UNKNOWN_TABLE/i.test((error as Error).message)) throw error;
    }
  }
  return claimed;
}

/**
 * Copies a claimed monthly table into `events` one month at a time, dropping each month once
 * copied, then drops the table (about 3 s per million rows on 2 cores). A crash between a copy and
 * its drop would copy that month twice on the next start, a window of one statement.
 */
async function moveInto(conn: ClickHouseConnection, table: string): Promise<number> {
  const db = ident(conn.database);
  const from = sql`${db}.${ident(table)}`;
  await addColumns(conn, table);
  const months = await rows<{ partition: string }>(
    conn,
    sql`SELECT DISTINCT partition FROM system.parts WHERE database = ${conn.database} AND table = ${table} AND active ORDER BY partition`,
  );
  const columns = eventColumns()
    .map((c) => ident(c.name).text)
    .join(', ');
  let moved = 0;
  for (const { partition } of months) {
    const month = Number(partition);
    const [count] = await rows<{ n: number }>(
      conn,
      sql`SELECT count() AS n FROM ${from} WHERE toYYYYMM(time) = ${month}`,
    );
    await exec(
      conn,
      sql`INSERT INTO ${db}.${ident(TABLES.events)} (${raw(columns)}) SELECT ${raw(columns)} FROM ${from} WHERE toYYYYMM(time) = ${month}`,
    );
    await exec(conn, sql`ALTER TABLE ${from} DROP PARTITION ${month}`);
    moved += Number(count?.n ?? 0);
  }
  await exec(conn, sql`DROP TABLE IF EXISTS ${from}`);
  return moved;
}

async function addColumns(conn: ClickHouseConnection, table: string): Promise<string[]> {
  const found = await rows<{ name: string }>(
    conn,
    sql`SELECT name FROM system.columns WHERE database = ${conn.database} AND table = ${table}`,
  );
  const added: string[] = [];
  for (const alter of addMissingColumns(conn.database, new Set(found.map((r) => r.name)), table)) {
    try {
      await exec(conn, alter);
      added.push(alter.text);
    } catch (error) {
      // Another collector starting at the same moment may have added it first.
      if (!/already exists/i.test((error as Error).message)) throw error;
    }
  }
  return added;
}

/** Runs one statement that returns no rows. */
export async function exec(conn: ClickHouseConnection, statement: SqlFragment): Promise<void> {
  await retryLaterOnTimeout(() =>
    conn.client.command({ query: statement.text, clickhouse_settings: conn.settings }),
  );
}
