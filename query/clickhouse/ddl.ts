import { RECORD_FIELDS, type FieldName, type FieldType } from '../../storage/schema.ts';
import { ident, raw, sql, type SqlFragment } from './sql.ts';

/**
 * The ClickHouse layout, derived from RECORD_FIELDS so a field added there becomes a column here
 * (and an ALTER TABLE ADD COLUMN on the next start) without touching this file.
 */

/** Tables in the analytics database (every CREATE below takes its engine, so a cluster can wrap them). */
export const TABLES = {
  events: 'events',
  salts: 'salts',
  /** settings documents (storage/settings): accounts, goals and the rest */
  settings: 'settings',
  /** exact figures of each rolled-up query shape per (site, UTC day), for day-local rows (rollups.ts) */
  rollups: 'rollup_day',
  /** one row per finished rollup build: the day's fingerprint it was built from */
  builds: 'rollup_builds',
  /** one row per finished multi-day block: the day builds it adds up (rollup-blocks.ts) */
  blocks: 'rollup_blocks',
  /** first and last record per (site, day, identified user), filled by `userDayView` */
  userDay: 'user_day',
  userDayView: 'user_day_mv',
} as const;

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
 * daily partitions and the sort key, so a per-site time range reads a contiguous slice.
 */
export const TIME_COLUMN: Column = {
  name: 'time',
  type: "DateTime('UTC') MATERIALIZED toDateTime(intDiv(ts, 1000), 'UTC')",
};

/**
 * 1 for a row of a day-local visitor: a collector-made id (16 hex digits from the daily salt, see
 * collector/pipeline/visitor.ts) outside an explicit session. Such a visitor and its sessions live
 * inside one UTC day, so their per-day figures add up (rollups.ts). Anything else (`u:` ids,
 * explicit sessions, imported ids of another shape) is 0 and always computed raw, which is exact.
 */
export const LOCAL_COLUMN: Column = {
  name: 'local',
  type: "UInt8 MATERIALIZED session = '' AND match(visitor, '^[0-9a-f]{16}$')",
};

/**
 * Partitions per (UTC day, locality): a closed day's local rows are one partition whose parts in
 * system.parts fingerprint it (rollups.ts), a ragged day is read by partition, and retention
 * drops whole days. Tables made before (monthly partitions) are moved by migrate.ts.
 */
export const EVENTS_PARTITION = '(toDate(time), local)';

export interface TableEngine {
  /** e.g. MergeTree, or ReplicatedMergeTree('/clickhouse/tables/{shard}/events', '{replica}') */
  events: string;
  salts: string;
  settings: string;
  rollups: string;
  builds: string;
  blocks: string;
  /** an AggregatingMergeTree (or its Replicated form) */
  userDay: string;
}

export const LOCAL_ENGINES: TableEngine = {
  events: 'MergeTree',
  salts: 'MergeTree',
  settings: 'ReplacingMergeTree(version)',
  rollups: 'MergeTree',
  builds: 'MergeTree',
  blocks: 'MergeTree',
  userDay: 'AggregatingMergeTree',
};

/** CREATE TABLE IF NOT EXISTS for the events table (`name`: another name, for a migration's copy). */
export function createEventsTable(
  database: string,
  engine = LOCAL_ENGINES.events,
  name: string = TABLES.events,
): SqlFragment {
  const columns = [...eventColumns(), TIME_COLUMN, LOCAL_COLUMN].map(
    (c) => `${ident(c.name).text} ${c.type}`,
  );
  return sql`CREATE TABLE IF NOT EXISTS ${ident(database)}.${ident(name)} (
  ${raw(columns.join(',\n  '))}
) ENGINE = ${raw(engine)}
PARTITION BY ${raw(EVENTS_PARTITION)}
ORDER BY (site, toDate(time), kind, visitor, ts)`;
}

/**
 * The figures of rolled-up query shapes per (site, UTC day, build). `shape` names the question
 * (rollups.ts), `part` which of its statements a row comes from ('r' records, 's' sessions,
 * 'c' scroll depth, 'p' prop sums by key, 't' top lists, 'k' numeric prop keys); `d` is the
 * group, `pk` a prop key or top-list key. Columns a part does not use are 0.
 */
export function createRollupsTable(database: string, engine = LOCAL_ENGINES.rollups): SqlFragment {
  return sql`CREATE TABLE IF NOT EXISTS ${ident(database)}.${ident(TABLES.rollups)} (
  site LowCardinality(String),
  day Date,
  build UInt64,
  shape String,
  part LowCardinality(String),
  d Array(String),
  pk String,
  visitors UInt64,
  pageviews UInt64,
  actions UInt64,
  shares UInt64,
  recipients UInt64,
  engaged UInt64,
  matched UInt64,
  props Array(Float64),
  total Float64,
  sessions UInt64,
  duration Int64,
  with_pv UInt64,
  bounced UInt64,
  scroll_sum UInt64,
  pairs UInt64
) ENGINE = ${raw(engine)}
PARTITION BY toYYYYMM(day)
ORDER BY (shape, site, day, build, part)`;
}

/**
 * A finished build of one day: made only when the day's fingerprint (rows and highest insert
 * block of its local partition) was the same before and after, so a reader uses it only while
 * the day still has exactly that data. `config` hashes the shapes (metric cards, code version).
 */
export function createBuildsTable(database: string, engine = LOCAL_ENGINES.builds): SqlFragment {
  return sql`CREATE TABLE IF NOT EXISTS ${ident(database)}.${ident(TABLES.builds)} (
  day Date,
  build UInt64,
  config String,
  fp_rows UInt64,
  fp_block Int64,
  built_at DateTime
) ENGINE = ${raw(engine)}
PARTITION BY toYYYYMM(day)
ORDER BY (day, config, build)`;
}

/**
 * A finished block of `span` aligned days from `start`, whose rows (in rollup_day, under `day` =
 * start and `build`) are the sums of the day builds named in `members` ("day:build,…"): a reader
 * uses it only while those are still the days' current builds.
 */
export function createBlocksTable(database: string, engine = LOCAL_ENGINES.blocks): SqlFragment {
  return sql`CREATE TABLE IF NOT EXISTS ${ident(database)}.${ident(TABLES.blocks)} (
  start Date,
  span UInt16,
  build UInt64,
  config String,
  members String,
  built_at DateTime
) ENGINE = ${raw(engine)}
PARTITION BY toYYYYMM(start)
ORDER BY (start, span, config, build)`;
}

/**
 * First and last record per (site, UTC day, identified user): new vs returning users read this
 * instead of every record of history. Kept by ClickHouse itself through `userDayView`; erasure and
 * retention delete from it like from events (store.ts).
 */
export function createUserDayTable(database: string, engine = LOCAL_ENGINES.userDay): SqlFragment {
  return sql`CREATE TABLE IF NOT EXISTS ${ident(database)}.${ident(TABLES.userDay)} (
  site LowCardinality(String),
  day Date,
  user String,
  first AggregateFunction(min, Int64),
  last AggregateFunction(max, Int64)
) ENGINE = ${raw(engine)}
PARTITION BY toYYYYMM(day)
ORDER BY (site, day, user)`;
}

/** The materialized view feeding user_day from every insert into events (on the same node). */
export function createUserDayView(database: string): SqlFragment {
  const db = ident(database);
  return sql`CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.${ident(TABLES.userDayView)}
TO ${db}.${ident(TABLES.userDay)} AS
SELECT site, toDate(toDateTime(intDiv(ts, 1000), 'UTC')) AS day, user, minState(ts) AS first, maxState(ts) AS last
FROM ${db}.${ident(TABLES.events)} WHERE user != '' GROUP BY site, day, user`;
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
export function addMissingColumns(
  database: string,
  existing: ReadonlySet<string>,
  table: string = TABLES.events,
): SqlFragment[] {
  return eventColumns()
    .filter((c) => !existing.has(c.name))
    .map(
      (c) => sql`ALTER TABLE ${ident(database)}.${ident(table)} ADD COLUMN ${ident(c.name)} ${raw(c.type)}`,
    );
}
