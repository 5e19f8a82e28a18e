import { createClient, type ClickHouseClient } from '@clickhouse/client';

export interface ClickHouseOptions {
  url: string;
  database: string;
  user?: string;
  password?: string;
  /** per-request timeout; an insert that takes longer goes to the spool */
  requestTimeoutMs?: number;
}

/** A client plus what the server version allows, detected once at start. */
export interface ClickHouseConnection {
  client: ClickHouseClient;
  database: string;
  /** e.g. [18, 16, 1] */
  version: number[];
  /** settings every query sends: numbers as JSON numbers, and what old servers must be told */
  settings: Record<string, string | number>;
  close(): Promise<void>;
}

/** Connects (without a default database, which may not exist yet) and reads the server version. */
export async function connectClickHouse(options: ClickHouseOptions): Promise<ClickHouseConnection> {
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
