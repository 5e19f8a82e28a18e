import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { remoteServersConfig, SHARD_KEY } from '../../../../query/clickhouse/cluster.ts';
import { distributedTable } from '../../../../query/clickhouse/migrate-cluster.ts';
import { raw } from '../../../../query/clickhouse/sql.ts';

describe('a ClickHouse cluster of shards', () => {
  it('names every shard and replica in one remote_servers file', () => {
    const xml = remoteServersConfig('analytics', [
      [{ host: 'ch-1', port: 9000 }],
      [
        { host: 'ch-2a', port: 9000 },
        { host: 'ch-2b', port: 9001 },
      ],
    ]);
    expect(xml).toContain('<analytics>');
    expect(xml.match(/<shard>/g)).toHaveLength(2);
    expect(xml).toContain('<replica><host>ch-1</host><port>9000</port></replica>');
    expect(xml).toContain('<replica><host>ch-2b</host><port>9001</port></replica>');
    expect(xml).toContain('<internal_replication>false</internal_replication>');
    expect(xml).toContain('<internal_replication>true</internal_replication>');
    expect(remoteServersConfig('c', [[{ host: '<x>&', port: 1 }]])).toContain(
      '<host>&#60;x&#62;&#38;</host>',
    );
    expect(() => remoteServersConfig('a b', [])).toThrow(/cluster name/);
  });

  it('is the file docs/scaling.md tells operators to install', () => {
    const docs = readFileSync(new URL('../../../../docs/scaling.md', import.meta.url), 'utf8');
    const example = remoteServersConfig('analytics', [
      [{ host: 'ch-1', port: 9000 }],
      [{ host: 'ch-2', port: 9000 }],
    ]);
    expect(docs).toContain('```xml\n' + example + '```');
    expect(docs).toContain(SHARD_KEY);
  });

  it('shards by session unit: explicit session, else visitor', () => {
    expect(SHARD_KEY).toBe("sipHash64(site, if(session != '', concat('s', session), concat('v', visitor)))");
  });

  it('makes a Distributed table whose MATERIALIZED columns are ALIAS (18.16 refuses them in inserts)', () => {
    const text = distributedTable(raw('`db`.`events`'), 'analytics', 'db_local', 'events', [
      { name: 'ts', type: 'Int64', default_kind: '', default_expression: '' },
      {
        name: 'time',
        type: "DateTime('UTC')",
        default_kind: 'MATERIALIZED',
        default_expression: "toDateTime(intDiv(ts, 1000), 'UTC')",
      },
    ]).text;
    expect(text).toContain('CREATE TABLE IF NOT EXISTS `db`.`events`');
    expect(text).toContain('`ts` Int64');
    expect(text).toContain("`time` DateTime('UTC') ALIAS toDateTime(intDiv(ts, 1000), 'UTC')");
    expect(text).toContain(`ENGINE = Distributed(\`analytics\`, \`db_local\`, \`events\`, ${SHARD_KEY})`);
  });
});
