import { describe, expect, it } from 'vitest';
import {
  addMissingColumns,
  createEventsTable,
  createSaltsTable,
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

  it('creates a monthly-partitioned MergeTree ordered for per-site time ranges', () => {
    const text = createEventsTable('cfa').text;
    expect(text).toMatch(/^CREATE TABLE IF NOT EXISTS `cfa`\.`events`/);
    expect(text).toContain('ENGINE = MergeTree');
    expect(text).toContain('PARTITION BY toYYYYMM(time)');
    expect(text).toContain('ORDER BY (site, toDate(time), kind, visitor, ts)');
    expect(text).toContain("`time` DateTime('UTC') MATERIALIZED toDateTime(intDiv(ts, 1000), 'UTC')");
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
