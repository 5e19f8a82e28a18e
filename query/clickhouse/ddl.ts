import { RECORD_FIELDS, type FieldName, type FieldType } from '../../storage/schema.ts';
import { ident, raw, sql, type SqlFragment } from './sql.ts';

/**
 * The ClickHouse layout, derived from RECORD_FIELDS so a field added there becomes a column here
 * (and an ALTER TABLE ADD COLUMN on the next start) without touching this file.
 */

/** Tables in the analytics database. */
export const TABLES = { events: 'events', salts: 'salts', settings: 'settings' } as const;

// Identifiers and per-visitor strings are mostly distinct values: a dictionary would not pay.
const HIGH_CARDINALITY = new Set<FieldName>(['visitor', 'session', 'user', 'path', 'referrer', 'link']);

/**
 * Props are kept twice: exact JSON for round trips, and parallel key / value-as-text / is-number
 * arrays that SQL can filter, group and sum on (18.16 has no JSON functions with variable keys).
 */
export const PROP_KEYS = 'prop_keys';
export const PROP_VALUES = 'prop_values';
export const PROP_NUMERIC = 'prop_numeric';

export interface Column {
  name: string;
  type: string;
}

function columnType(name: FieldName, type: FieldType): string {
  switch (type) {
    case 'time':
      return 'Int64';
    case 'int':
      return 'UInt64';
    case 'props':
      return 'String';
    case 'dict':
      return HIGH_CARDINALITY.has(name) ? 'String' : 'LowCardinality(String)';
  }
}

/** The columns written by inserts, in RECORD_FIELDS order, then the prop arrays. */
export function eventColumns(): Column[] {
  const columns = Object.entries(RECORD_FIELDS).map(([name, type]) => ({
    name,
    type: columnType(name as FieldName, type),
  }));
  columns.push(
    { name: PROP_KEYS, type: 'Array(String)' },
    { name: PROP_VALUES, type: 'Array(String)' },
    { name: PROP_NUMERIC, type: 'Array(UInt8)' },
  );
  return columns;
}

/**
 * `time` is second precision and computed by the server from `ts` (epoch ms): it drives the
 * monthly partitions and the sort key, so a per-site time range reads a contiguous slice.
 */
export const TIME_COLUMN: Column = {
  name: 'time',
  type: "DateTime('UTC') MATERIALIZED toDateTime(intDiv(ts, 1000), 'UTC')",
};

export interface TableEngine {
  /** e.g. MergeTree, or ReplicatedMergeTree('/clickhouse/tables/{shard}/events', '{replica}') */
  events: string;
  salts: string;
  settings: string;
}

export const LOCAL_ENGINES: TableEngine = {
  events: 'MergeTree',
  salts: 'MergeTree',
  settings: 'ReplacingMergeTree(version)',
};

/** CREATE TABLE IF NOT EXISTS for the events table. */
export function createEventsTable(database: string, engine = LOCAL_ENGINES.events): SqlFragment {
  const columns = [...eventColumns(), TIME_COLUMN].map((c) => `${ident(c.name).text} ${c.type}`);
  return sql`CREATE TABLE IF NOT EXISTS ${ident(database)}.${ident(TABLES.events)} (
  ${raw(columns.join(',\n  '))}
) ENGINE = ${raw(engine)}
PARTITION BY toYYYYMM(time)
ORDER BY (site, toDate(time), kind, visitor, ts)`;
}

/**
 * One row per candidate salt. Partitioned by day so a day's salt is destroyed by dropping its
 * partition: the files go at once, unlike an ALTER DELETE mutation that rewrites parts later.
 */
export function createSaltsTable(database: string, engine = LOCAL_ENGINES.salts): SqlFragment {
  return sql`CREATE TABLE IF NOT EXISTS ${ident(database)}.${ident(TABLES.salts)} (
  day Date,
  salt String,
  created Int64
) ENGINE = ${raw(engine)}
PARTITION BY day
ORDER BY (day, created, salt)`;
}

/**
 * Settings documents (storage/settings): every write adds a row with a higher version, and a
 * removal adds one with `deleted = 1`, so collectors never update in place; readers take each
 * id's newest row (settings.ts), and merges drop the superseded ones.
 */
export function createSettingsTable(database: string, engine = LOCAL_ENGINES.settings): SqlFragment {
  return sql`CREATE TABLE IF NOT EXISTS ${ident(database)}.${ident(TABLES.settings)} (
  kind String,
  id String,
  site String,
  has_site UInt8,
  updated Int64,
  version UInt64,
  deleted UInt8,
  body String
) ENGINE = ${raw(engine)}
ORDER BY (kind, id)`;
}

/** ALTERs that add the columns RECORD_FIELDS gained since the table was created. */
export function addMissingColumns(database: string, existing: ReadonlySet<string>): SqlFragment[] {
  return eventColumns()
    .filter((c) => !existing.has(c.name))
    .map(
      (c) =>
        sql`ALTER TABLE ${ident(database)}.${ident(TABLES.events)} ADD COLUMN ${ident(c.name)} ${raw(c.type)}`,
    );
}
