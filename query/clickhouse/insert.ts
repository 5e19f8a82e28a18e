import type { StoredRecord } from '../../storage/schema.ts';
import type { ClickHouseConnection } from './connection.ts';
import { toRow } from './rows.ts';
import type { SqlFragment } from './sql.ts';

/**
 * One INSERT … FORMAT JSONEachRow with the rows as the request body. The data after FORMAT is
 * parsed as JSON, not as SQL, and JSON.stringify escapes it. Sending one body is about twice as
 * fast as the client's row-by-row object stream (5,000 rows: 0.5 s against 0.85 s on a busy
 * 2-core machine), which is what caps a collector's insert rate.
 */
export async function insertRecords(
  conn: ClickHouseConnection,
  table: SqlFragment,
  records: readonly StoredRecord[],
): Promise<void> {
  if (records.length === 0) return;
  let body = `INSERT INTO ${table.text} FORMAT JSONEachRow\n`;
  for (const record of records) body += JSON.stringify(toRow(record)) + '\n';
  await conn.client.command({ query: body, clickhouse_settings: conn.settings });
}
