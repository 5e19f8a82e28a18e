import { dayEnd, dayStart } from '../../storage/day-files.ts';
import type { StoredRecord } from '../../storage/schema.ts';
import type { ClickHouseConnection } from './connection.ts';
import { TABLES } from './ddl.ts';
import { insertRecords } from './insert.ts';
import { ident, sql } from './sql.ts';
import { rows } from './run.ts';

export interface CopyOptions {
  conn: ClickHouseConnection;
  /** UTC days (YYYY-MM-DD) to copy, oldest first */
  days: readonly string[];
  /** the records of one day of the JSON data dir */
  readDay: (day: string) => AsyncIterable<StoredRecord>;
  /** rows per insert (default 50,000) */
  batchRows?: number;
  /** copy days that already hold rows in ClickHouse too (default: skip them) */
  force?: boolean;
  onProgress?: (progress: CopyProgress) => void;
  /** stops between days, so no day is left half copied */
  signal?: AbortSignal;
}

export interface CopyProgress {
  day: string;
  daysDone: number;
  daysTotal: number;
  records: number;
  skippedDays: number;
}

export interface CopyResult {
  records: number;
  copiedDays: number;
  skippedDays: number;
  interrupted: boolean;
}

/**
 * Copies JSON Lines history into ClickHouse day by day, straight into the events table in large
 * inserts (no spool: this is a bulk load and ClickHouse must be up). A day that already holds
 * rows is skipped, so an interrupted or repeated copy can simply be run again; the day a site
 * switches over usually holds both, which is what --force is for once that day was checked.
 */
export async function copyJsonToClickHouse(options: CopyOptions): Promise<CopyResult> {
  const { conn } = options;
  const table = sql`${ident(conn.database)}.${ident(TABLES.events)}`;
  const batchRows = options.batchRows ?? 50_000;
  const result: CopyResult = { records: 0, copiedDays: 0, skippedDays: 0, interrupted: false };
  let done = 0;
  for (const day of options.days) {
    if (options.signal?.aborted) {
      result.interrupted = true;
      break;
    }
    const [existing] = await rows<{ n: number }>(
      conn,
      sql`SELECT count() AS n FROM ${table} WHERE ts >= ${dayStart(day)} AND ts < ${dayEnd(day)}`,
    );
    if (!options.force && Number(existing?.n ?? 0) > 0) {
      result.skippedDays += 1;
    } else {
      // One insert in flight while the next batch is read: reading and inserting overlap.
      let batch: StoredRecord[] = [];
      let inflight: Promise<void> = Promise.resolve();
      const insert = async () => {
        if (batch.length === 0) return;
        const rows = batch;
        batch = [];
        await inflight;
        inflight = insertRecords(conn, table, rows).then(() => {
          result.records += rows.length;
        });
        // Handled here so a failure while the next batch is read is not "unhandled"; the await
        // before the next insert (or at the end of the day) still throws it.
        inflight.catch(() => undefined);
      };
      for await (const record of options.readDay(day)) {
        batch.push(record);
        if (batch.length >= batchRows) await insert();
      }
      await insert();
      await inflight;
      result.copiedDays += 1;
    }
    done += 1;
    options.onProgress?.({
      day,
      daysDone: done,
      daysTotal: options.days.length,
      records: result.records,
      skippedDays: result.skippedDays,
    });
  }
  return result;
}
