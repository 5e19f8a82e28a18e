import type { ClickHouseConnection } from './connection.ts';
import type { SqlFragment } from './sql.ts';

/** Runs a SELECT and returns its (already aggregated) rows. */
export async function rows<T>(conn: ClickHouseConnection, query: SqlFragment): Promise<T[]> {
  const result = await conn.client.query({
    query: query.text,
    format: 'JSONEachRow',
    clickhouse_settings: conn.settings,
  });
  return result.json<T>();
}
