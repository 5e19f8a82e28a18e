import { describe, expect, it } from 'vitest';
import {
  LOCAL_ENGINES,
  addMissingColumns,
  createBlocksTable,
  createBuildsTable,
  createEventsTable,
  createRollupsTable,
  createSaltsTable,
  createSettingsTable,
  createUserDayTable,
  createUserDayView,
  eventColumns,
} from '../../../../query/clickhouse/ddl.ts';
import { settingsFor } from '../../../../query/clickhouse/connection.ts';
import { RECORD_FIELDS } from '../../../../storage/schema.ts';

describe('ClickHouse DDL from storage/schema.ts', () => {
  it('has one column per record field, typed by its field type', () => {
    const columns = new Map(eventColumns().map((c) => [c.name, c.type]));
    for (const name of Object.keys(RECORD_FIELDS)) expect(columns.has(name)).toBe(true);
    expect(columns.get('ts')).toBe('Int64');
    expect(columns.get('engaged_ms')).toBe('UInt64');
    expect(columns.get('props')).toBe('String');
    expect(columns.get('country')).toBe('LowCardinality(String)');
    expect(columns.get('visitor')).toBe('String');
    expect(columns.get('prop_keys')).toBe('Array(String)');
  });

  it('creates a MergeTree partitioned by UTC day and locality, ordered for per-site time ranges', () => {
    const text = createEventsTable('cfa').text;
    expect(text).toMatch(/^CREATE TABLE IF NOT EXISTS `cfa`\.`events`/);
    expect(text).toContain('ENGINE = MergeTree');
    expect(text).toContain('PARTITION BY (toDate(time), local)');
    expect(text).toContain("`local` UInt8 MATERIALIZED session = '' AND match(visitor, '^[0-9a-f]{16}$')");
    expect(text).toContain('ORDER BY (site, toDate(time), kind, visitor, ts)');
    expect(text).toContain("`time` DateTime('UTC') MATERIALIZED toDateTime(intDiv(ts, 1000), 'UTC')");
  });

  it('takes the engine of every table from the caller, so a cluster can wrap them', () => {
    const engines = {
      events: "ReplicatedMergeTree('/t/{shard}/events', '{replica}')",
      salts: "ReplicatedMergeTree('/t/all/salts', '{replica}')",
      rollups: "ReplicatedMergeTree('/t/{shard}/rollup_day', '{replica}')",
      builds: "ReplicatedMergeTree('/t/{shard}/rollup_builds', '{replica}')",
      blocks: "ReplicatedMergeTree('/t/{shard}/rollup_blocks', '{replica}')",
      userDay: "ReplicatedAggregatingMergeTree('/t/{shard}/user_day', '{replica}')",
      settings: "ReplicatedReplacingMergeTree('/t/all/settings', '{replica}', version)",
    };
    expect(createEventsTable('cfa', engines.events).text).toContain(`ENGINE = ${engines.events}`);
    expect(createSaltsTable('cfa', engines.salts).text).toContain(`ENGINE = ${engines.salts}`);
    expect(createRollupsTable('cfa', engines.rollups).text).toContain(`ENGINE = ${engines.rollups}`);
    expect(createBuildsTable('cfa', engines.builds).text).toContain(`ENGINE = ${engines.builds}`);
    expect(createBlocksTable('cfa', engines.blocks).text).toContain(`ENGINE = ${engines.blocks}`);
    expect(createUserDayTable('cfa', engines.userDay).text).toContain(`ENGINE = ${engines.userDay}`);
    expect(createSettingsTable('cfa', engines.settings).text).toContain(`ENGINE = ${engines.settings}`);
    expect(Object.keys(LOCAL_ENGINES).sort()).toEqual(Object.keys(engines).sort());
    expect(createUserDayView('cfa').text).toContain('TO `cfa`.`user_day`');
  });

  it('partitions salts by day so a day can be dropped at once', () => {
    expect(createSaltsTable('cfa').text).toContain('PARTITION BY day');
  });

  it('adds only the columns the table lacks', () => {
    const all = new Set(eventColumns().map((c) => c.name));
    expect(addMissingColumns('cfa', all)).toEqual([]);
    all.delete('scroll');
    all.delete('prop_keys');
    expect(addMissingColumns('cfa', all).map((s) => s.text)).toEqual([
      'ALTER TABLE `cfa`.`events` ADD COLUMN `scroll` UInt64',
      'ALTER TABLE `cfa`.`events` ADD COLUMN `prop_keys` Array(String)',
    ]);
  });

  it('refuses a database name that is not a plain identifier', () => {
    expect(() => createEventsTable('cfa`; DROP DATABASE x; --')).toThrow(TypeError);
  });

  it('switches LowCardinality on only for servers older than 19', () => {
    expect(settingsFor([18, 16, 1])).toMatchObject({ allow_experimental_low_cardinality_type: 1 });
    expect(settingsFor([24, 3])).not.toHaveProperty('allow_experimental_low_cardinality_type');
  });
});
