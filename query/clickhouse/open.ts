import type { Clock } from '../../storage/types.ts';
import { connectClickHouse, type ClickHouseConnection, type ClickHouseOptions } from './connection.ts';
import { migrate } from './migrate.ts';
import { ClickHouseSaltStore } from './salts.ts';
import { ClickHouseSettingsStore } from './settings.ts';
import { ClickHouseStore } from './store.ts';

export interface OpenClickHouseOptions extends ClickHouseOptions {
  /** holds the local spool */
  dataDir: string;
  clock: Clock;
  batchRows?: number;
  flushMs?: number;
  replayMs?: number;
}

export interface ClickHouseBackend {
  store: ClickHouseStore;
  salts: ClickHouseSaltStore;
  /** accounts, goals and the rest (storage/settings), shared by every collector */
  settings: ClickHouseSettingsStore;
  /** a second connection for queries, so long reads never queue behind inserts */
  queries: ClickHouseConnection;
  close(): Promise<void>;
}

/** Connects, creates or migrates the schema, and starts the store (replaying any spool). */
export async function openClickHouse(options: OpenClickHouseOptions): Promise<ClickHouseBackend> {
  const writes = await connectClickHouse(options);
  let queries: ClickHouseConnection | null = null;
  try {
    await migrate(writes);
    queries = await connectClickHouse(options);
    const store = new ClickHouseStore({
      connection: writes,
      dataDir: options.dataDir,
      clock: options.clock,
      batchRows: options.batchRows,
      flushMs: options.flushMs,
      replayMs: options.replayMs,
    });
    await store.start();
    // On a cluster the salts stay on the first node (migrate-cluster.ts), one table for everyone.
    const salts = new ClickHouseSaltStore(queries.cluster?.nodes[0] ?? queries, options.clock);
    const q = queries;
    return {
      store,
      salts,
      // Like the salts, settings stay on the first node of a cluster: one table every collector reads.
      settings: new ClickHouseSettingsStore(queries.cluster?.nodes[0] ?? queries, options.clock),
      queries: q,
      async close() {
        await store.close();
        await q.close();
      },
    };
  } catch (error) {
    await writes.close();
    await queries?.close();
    throw error;
  }
}
