import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openClickHouse } from '../query/clickhouse/open.ts';
import { startClickHouse, type ClickHouseServer } from '../test/support/clickhouse-server.ts';
import type { GenerateOptions } from '../demo/generate.ts';
import { appendGenerated } from '../demo/write-generated.ts';
import { DEFAULT_CARDS } from '../query/cards-config.ts';
import { connectClickHouse } from '../query/clickhouse/connection.ts';
import { TABLES } from '../query/clickhouse/ddl.ts';
import { RollupBuilder } from '../query/clickhouse/rollup-build.ts';
import { rollupPlan } from '../query/clickhouse/rollup-shapes.ts';
import { ident, sql } from '../query/clickhouse/sql.ts';

/** Whether a clickhouse-server binary is installed (the side-by-side run needs one). */
export function clickhouseInstalled(): boolean {
  const candidates = [
    process.env.CLICKHOUSE_SERVER_PATH,
    '/usr/bin/clickhouse-server',
    '/usr/sbin/clickhouse-server',
  ];
  return candidates.some((p) => p && existsSync(p));
}

export interface LoadedClickHouse {
  server: ClickHouseServer;
  /** environment for a collector reading this server */
  env: Record<string, string>;
  load_ms: number;
  /** rows per second inserted through the ClickHouse EventStore (what one collector writes) */
  insert_rows_per_s: number;
  /** the first rollup build of every closed day (query/clickhouse/rollup-build.ts) */
  build_ms: number;
  destroy(): Promise<void>;
}

/**
 * A private clickhouse-server (own ports and data) holding the same generated dataset, inserted
 * through the ClickHouse EventStore exactly as collectors would.
 */
export async function clickhouseWith(dataset: GenerateOptions): Promise<LoadedClickHouse> {
  const server = await startClickHouse();
  const spool = await mkdtemp(join(tmpdir(), 'cfa-bench-ch-spool-'));
  const destroy = async () => {
    await server.destroy();
    await rm(spool, { recursive: true, force: true });
  };
  try {
    const started = performance.now();
    const backend = await openClickHouse({
      url: server.url,
      database: 'cloudface',
      dataDir: spool,
      clock: () => Date.now(),
      batchRows: 50_000,
    });
    let rowsLoaded = 0;
    try {
      await appendGenerated(backend.store, { ...dataset, batchSize: 50_000 });
      rowsLoaded = backend.store.health().written;
    } finally {
      await backend.close();
    }
    const load_ms = Math.round(performance.now() - started);
    // Rolled up before the collector starts, as a collector's builder would in the background
    // (the collector's own builder then finds every closed day built, with the same cards).
    const conn = await connectClickHouse({ url: server.url, database: 'cloudface' });
    const buildStarted = performance.now();
    try {
      const table = sql`${ident('cloudface')}.${ident(TABLES.events)}`;
      await new RollupBuilder(conn, table, rollupPlan(DEFAULT_CARDS), () => Date.now()).run();
    } finally {
      await conn.close();
    }
    return {
      server,
      env: {
        ANALYTICS_STORE: 'clickhouse',
        CLICKHOUSE_URL: server.url,
        CLICKHOUSE_DATABASE: 'cloudface',
        ANALYTICS_DATA_DIR: spool,
      },
      load_ms,
      insert_rows_per_s: Math.round(rowsLoaded / (load_ms / 1000)),
      build_ms: Math.round(performance.now() - buildStarted),
      destroy,
    };
  } catch (error) {
    await destroy();
    throw error;
  }
}
