import { join } from 'node:path';
import { RECORD_KINDS, type StoredRecord } from '../../storage/schema.ts';
import {
  StoreUnavailableError,
  systemClock,
  type Clock,
  type EventStore,
  type StoreHealth,
  type TimeRange,
} from '../../storage/types.ts';
import { Batcher } from './batcher.ts';
import type { ClickHouseConnection } from './connection.ts';
import { TABLES } from './ddl.ts';
import { RECORD_COLUMNS, fromRow } from './rows.ts';
import { insertRecords } from './insert.ts';
import { Spool } from './spool.ts';
import { ident, join as joinSql, raw, sql, type SqlFragment } from './sql.ts';
import { deleteWhere } from './mutations.ts';
import { exec } from './migrate.ts';

export interface ClickHouseStoreOptions {
  connection: ClickHouseConnection;
  /** where the spool lives: <dataDir>/spool */
  dataDir: string;
  clock?: Clock;
  /** rows per insert before the time trigger (default 5,000) */
  batchRows?: number;
  /** longest a row waits for its insert (default 1,000 ms) */
  flushMs?: number;
  /** how often the spool is retried while it holds batches (default 5,000 ms) */
  replayMs?: number;
}

export interface ClickHouseStoreHealth extends StoreHealth {
  /** rows on the local spool, waiting for ClickHouse */
  spooledRows: number;
}

/**
 * Events in ClickHouse. Rows from concurrent requests are gathered into one insert (by size and
 * time); a request is acknowledged once its insert succeeded, or, when ClickHouse is down or
 * slow, once its batch is fsynced to the local spool, which is replayed when ClickHouse answers
 * again. Replay is at-least-once: an insert that timed out but did land is inserted twice.
 */
export class ClickHouseStore implements EventStore {
  private readonly conn: ClickHouseConnection;
  private readonly clock: Clock;
  private readonly spool: Spool;
  private readonly batcher: Batcher<StoredRecord>;
  private readonly table: SqlFragment;
  private written = 0;
  private quarantined = 0;
  private spooledRows = 0;
  private lastWriteError: string | null = null;
  private replayTimer: NodeJS.Timeout | null = null;
  private replaying: Promise<void> | null = null;
  private closed = false;
  /** called after a spool replay inserted rows (they may belong to closed, rolled-up days) */
  onReplayed: (() => void) | null = null;

  constructor(private readonly options: ClickHouseStoreOptions) {
    this.conn = options.connection;
    this.clock = options.clock ?? systemClock;
    this.spool = new Spool(join(options.dataDir, 'spool'), this.clock);
    this.batcher = new Batcher(
      (batch) => this.writeBatch(batch),
      options.batchRows ?? 5000,
      options.flushMs ?? 1000,
    );
    this.table = sql`${ident(this.conn.database)}.${ident(TABLES.events)}`;
  }

  /** Starts the spool replay (a batch left by a previous run is sent first). */
  async start(): Promise<void> {
    for (const name of await this.spool.files()) {
      const { records } = await this.spool.read(name);
      this.spooledRows += records.length;
    }
    this.replayTimer = setInterval(() => void this.replay(), this.options.replayMs ?? 5000);
    this.replayTimer.unref();
    await this.replay();
  }

  append(records: readonly StoredRecord[]): Promise<void> {
    if (this.closed) return Promise.reject(new StoreUnavailableError('store is closed'));
    if (records.length === 0) return Promise.resolve();
    return this.batcher.submit(records);
  }

  async *scan(range: TimeRange = {}): AsyncGenerator<StoredRecord> {
    const where: SqlFragment[] = [raw('1')];
    if (range.from !== undefined && Number.isFinite(range.from)) where.push(sql`ts >= ${range.from}`);
    if (range.to !== undefined && Number.isFinite(range.to)) where.push(sql`ts < ${range.to}`);
    yield* this.select(joinSql(where, ' AND '));
  }

  /** Streams records matching `where`, in ts order (ties in RECORD_KINDS order, like the day files). */
  private async *select(where: SqlFragment): AsyncGenerator<StoredRecord> {
    const columns = RECORD_COLUMNS.map((c) => ident(c).text).join(', ');
    const result = await this.conn.client.query({
      query:
        sql`SELECT ${raw(columns)} FROM ${this.table} WHERE ${where} ORDER BY ts, indexOf(${[...RECORD_KINDS]}, kind)`
          .text,
      format: 'JSONEachRow',
      clickhouse_settings: this.conn.settings,
    });
    for await (const rows of result.stream()) {
      for (const row of rows) yield fromRow(row.json<Record<string, unknown>>());
    }
  }

  private async count(where: SqlFragment): Promise<number> {
    const result = await this.conn.client.query({
      query: sql`SELECT count() AS n FROM ${this.table} WHERE ${where}`.text,
      format: 'JSONEachRow',
      clickhouse_settings: this.conn.settings,
    });
    return Number((await result.json<{ n: number | string }>())[0]?.n ?? 0);
  }

  /** Rewrites spool files without the matching records; resolves with how many went. */
  private async spoolWithout(drop: (record: StoredRecord) => boolean): Promise<number> {
    await this.replaying;
    let removed = 0;
    for (const name of await this.spool.files()) {
      const { records } = await this.spool.read(name);
      const kept = records.filter((r) => !drop(r));
      if (kept.length === records.length) continue;
      if (kept.length > 0) await this.spool.write(kept);
      await this.spool.remove(name);
      removed += records.length - kept.length;
      this.spooledRows = Math.max(0, this.spooledRows - (records.length - kept.length));
    }
    return removed;
  }

  async eraseUser(userId: string): Promise<number> {
    if (!userId) throw new Error('eraseUser needs a non-empty user id');
    // Rows still waiting for their insert or on the spool are erased too.
    await this.batcher.flush();
    let erased = await this.spoolWithout((r) => r.user === userId);
    erased += await this.count(sql`user = ${userId}`);
    await deleteWhere(this.conn, sql`user = ${userId}`);
    // The user's first and last record per day (new-returning.ts) go too.
    await deleteWhere(this.conn, sql`user = ${userId}`, undefined, TABLES.userDay);
    return erased;
  }

  async *exportUser(userId: string): AsyncGenerator<StoredRecord> {
    if (!userId) return;
    yield* this.select(sql`user = ${userId}`);
  }

  /**
   * Drops the partitions (one per day and locality, ddl.ts) before the day at once, then deletes
   * whatever is left before it (rows of a spool replay landing meanwhile), and the purged days of
   * user_day.
   */
  async purgeBefore(firstKeptDay: string): Promise<number> {
    const start = Date.parse(`${firstKeptDay}T00:00:00Z`);
    if (!Number.isFinite(start)) throw new Error(`not a day: ${JSON.stringify(firstKeptDay)}`);
    await this.batcher.flush();
    await this.spoolWithout((r) => r.ts < start);
    const result = await this.conn.client.query({
      query: sql`SELECT uniqExact(toDate(time)) AS days FROM ${this.table} WHERE ts < ${start}`.text,
      format: 'JSONEachRow',
      clickhouse_settings: this.conn.settings,
    });
    const days = Number((await result.json<{ days: number | string }>())[0]?.days ?? 0);
    if (days === 0) return 0;
    const kept = firstKeptDay.replaceAll('-', '');
    // On a cluster every node drops its own partitions (a Distributed table has none).
    for (const node of this.conn.cluster?.nodes ?? [this.conn]) {
      const parts = await node.client.query({
        query:
          sql`SELECT DISTINCT partition_id AS id FROM system.parts WHERE database = ${node.database} AND table = ${TABLES.events} AND active`
            .text,
        format: 'JSONEachRow',
        clickhouse_settings: node.settings,
      });
      const table = sql`${ident(node.database)}.${ident(TABLES.events)}`;
      for (const { id } of await parts.json<{ id: string }>()) {
        const m = /^(\d{4})(\d{2})(\d{2})-(\d)$/.exec(id);
        if (!m || id.slice(0, 8) >= kept) continue;
        await exec(
          node,
          sql`ALTER TABLE ${table} DROP PARTITION (${`${m[1]}-${m[2]}-${m[3]}`}, ${Number(m[4])})`,
        );
      }
    }
    if ((await this.count(sql`ts < ${start}`)) > 0) await deleteWhere(this.conn, sql`ts < ${start}`);
    await deleteWhere(this.conn, sql`day < toDate(${firstKeptDay})`, undefined, TABLES.userDay);
    return days;
  }

  health(): ClickHouseStoreHealth {
    return {
      backend: 'clickhouse',
      written: this.written,
      quarantinedLines: this.quarantined,
      lastWriteError: this.lastWriteError,
      spooledRows: this.spooledRows,
    };
  }

  /** Sends spooled batches now; resolves when the spool is empty or ClickHouse refused one. */
  replay(): Promise<void> {
    this.replaying ??= this.replaySpool().finally(() => (this.replaying = null));
    return this.replaying;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.replayTimer) clearInterval(this.replayTimer);
    await this.batcher.flush();
    await this.replaying;
    await this.conn.close();
  }

  private insert(records: readonly StoredRecord[]): Promise<void> {
    return insertRecords(this.conn, this.table, records);
  }

  private async writeBatch(batch: StoredRecord[]): Promise<void> {
    try {
      await this.insert(batch);
      this.written += batch.length;
      this.lastWriteError = null;
      return;
    } catch (error) {
      this.lastWriteError = `ClickHouse insert failed: ${(error as Error).message}`;
    }
    try {
      await this.spool.write(batch);
    } catch (error) {
      this.lastWriteError += `; spool write failed: ${(error as Error).message}`;
      throw new StoreUnavailableError('could not store events in ClickHouse nor on the local spool');
    }
    this.written += batch.length;
    this.spooledRows += batch.length;
  }

  private async replaySpool(): Promise<void> {
    let replayed = false;
    try {
      replayed = await this.replayFiles();
    } finally {
      if (replayed) this.onReplayed?.();
    }
  }

  /** Sends the spool's files in order; true when any rows went in. */
  private async replayFiles(): Promise<boolean> {
    let replayed = false;
    for (const name of await this.spool.files()) {
      const { records, corrupt } = await this.spool.read(name);
      try {
        if (records.length > 0) await this.insert(records);
      } catch {
        return replayed; // still down: the timer tries again
      }
      replayed ||= records.length > 0;
      await this.spool.remove(name);
      this.quarantined += corrupt;
      this.spooledRows = Math.max(0, this.spooledRows - records.length);
    }
    return replayed;
  }
}
