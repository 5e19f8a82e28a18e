import type { StoredRecord } from '../schema.ts';
import type { ClickHouseConnection } from './connection.ts';
import { eventColumns } from './ddl.ts';
import { toRow } from './rows.ts';
import { ident, type SqlFragment } from './sql.ts';
import { tsvLine } from './tsv.ts';

const COLUMNS = eventColumns().map((c) => c.name);
const COLUMN_LIST = COLUMNS.map((c) => ident(c).text).join(', ');

/**
 * One INSERT … FORMAT TabSeparated with the rows as the request body. The data after FORMAT is
 * parsed as TabSeparated, not as SQL, and tsv.ts escapes it. 50,000 rows: 7.7 MB and about 1 s
 * for the server against 26 MB and 1.5 s as JSONEachRow, and a third of the time to build in
 * Node, which is what caps a collector's insert rate.
 */
export async function insertRecords(
  conn: ClickHouseConnection,
  table: SqlFragment,
  records: readonly StoredRecord[],
): Promise<void> {
  if (records.length === 0) return;
  let body = `INSERT INTO ${table.text} (${COLUMN_LIST}) FORMAT TabSeparated\n`;
  for (const record of records) body += tsvLine(toRow(record), COLUMNS);
  await conn.client.command({ query: body, clickhouse_settings: conn.settings });
}
