import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClickHouse, type ClickHouseConnection } from '../../query/clickhouse/connection.ts';
import { exec, migrate } from '../../query/clickhouse/migrate.ts';
import { openClickHouse } from '../../query/clickhouse/open.ts';
import { ClickHouseSaltStore } from '../../query/clickhouse/salts.ts';
import { ClickHouseSettingsStore } from '../../query/clickhouse/settings.ts';
import { raw } from '../../query/clickhouse/sql.ts';
import { eventColumns } from '../../query/clickhouse/ddl.ts';
import { insertRecords } from '../../query/clickhouse/insert.ts';
import { rows } from '../../query/clickhouse/run.ts';
import { emptyRecord, type StoredRecord } from '../../storage/schema.ts';
import { fixedClock, tempDir } from '../support/helpers.ts';
import { startClickHouse, type ClickHouseServer } from '../support/clickhouse-server.ts';
import { settingsContract } from '../support/settings-contract.ts';

let server: ClickHouseServer;
let dbCounter = 0;
const T0 = Date.parse('2026-11-27T10:00:00Z');

beforeAll(async () => {
  server = await startClickHouse();
});
afterAll(async () => {
  await server?.destroy();
});

function freshDatabase(): string {
  return `cfa_store_${process.pid}_${dbCounter++}`;
}

function record(i: number, overrides: Partial<StoredRecord> = {}): StoredRecord {
  return {
    ...emptyRecord('pageview', T0 + i * 1000, 'example.com'),
    visitor: `v${i % 7}`,
    path: `/p/${i % 5}`,
    country: 'DE',
    ...overrides,
  };
}

async function collect(iterable: AsyncIterable<StoredRecord>): Promise<StoredRecord[]> {
  const out: StoredRecord[] = [];
  for await (const r of iterable) out.push(r);
  return out;
}

describe('schema migration', () => {
  it('is idempotent and adds columns the table lacks', async () => {
    const conn = await connectClickHouse({ url: server.url, database: freshDatabase() });
    try {
      expect((await migrate(conn)).added).toEqual([]);
      expect((await migrate(conn)).added).toEqual([]);
      // A table created before a field existed in storage/schema.ts:
      await exec(conn, raw(`ALTER TABLE \`${conn.database}\`.events DROP COLUMN scroll`));
      const { added } = await migrate(conn);
      expect(added).toHaveLength(1);
      expect(added[0]).toContain('`scroll` UInt64');
      expect((await migrate(conn)).added).toEqual([]);
    } finally {
      await conn.close();
    }
  });

  it('moves a table of the monthly layout to daily partitions, once, with collectors starting together', async () => {
    const database = freshDatabase();
    const conns = await Promise.all([1, 2, 3].map(() => connectClickHouse({ url: server.url, database })));
    try {
      const [first] = conns;
      await exec(first!, raw(`CREATE DATABASE \`${database}\``));
      // The layout before: monthly partitions, no `local` column.
      const columns = eventColumns().map((c) => `\`${c.name}\` ${c.type}`);
      await exec(
        first!,
        raw(`CREATE TABLE \`${database}\`.events (${columns.join(', ')},
          time DateTime('UTC') MATERIALIZED toDateTime(intDiv(ts, 1000), 'UTC'))
          ENGINE = MergeTree PARTITION BY toYYYYMM(time) ORDER BY (site, toDate(time), kind, visitor, ts)`),
      );
      // Two months, one identified user, one row not day-local.
      const records = Array.from({ length: 60 }, (_, i) =>
        record(i, {
          ts: T0 - i * 86_400_000,
          visitor: i % 2 ? '0123456789abcdef' : 'u:x',
          user: i % 3 ? '' : 'ann',
        }),
      );
      await insertRecords(
        first!,
        raw(`\`${database}\`.events`),
        records.map((r) => ({ ...r, scroll: 0 })),
      );
      const results = await Promise.all(conns.map((c) => migrate(c)));
      expect(results.map((r) => r.moved).sort((a, b) => a - b)).toEqual([0, 0, 60]);
      const [table] = await rows<{ partition_key: string }>(
        first!,
        raw(`SELECT partition_key FROM system.tables WHERE database = '${database}' AND name = 'events'`),
      );
      expect(table!.partition_key.replace(/\s/g, '')).toBe('(toDate(time),local)');
      const [counts] = await rows<{ n: number; local: number; tables: number }>(
        first!,
        raw(`SELECT count() AS n, sum(local) AS local,
          (SELECT count() FROM system.tables WHERE database = '${database}' AND startsWith(name, 'events_monthly_')) AS tables
          FROM \`${database}\`.events`),
      );
      expect([Number(counts!.n), Number(counts!.local), Number(counts!.tables)]).toEqual([60, 30, 0]);
      // The copied rows filled user_day through its view.
      const [users] = await rows<{ days: number }>(
        first!,
        raw(
          `SELECT count() AS days FROM (SELECT day FROM \`${database}\`.user_day WHERE user = 'ann' GROUP BY day)`,
        ),
      );
      expect(Number(users!.days)).toBe(20);
      expect((await migrate(first!)).moved).toBe(0);
    } finally {
      await Promise.all(conns.map((c) => c.close()));
    }
  });
});

describe('ClickHouseStore', () => {
  it('stores records and scans them back unchanged, hostile strings and props included', async () => {
    const { dir, cleanup } = await tempDir();
    const backend = await openClickHouse({
      url: server.url,
      database: freshDatabase(),
      dataDir: dir,
      clock: () => T0,
      flushMs: 20,
    });
    try {
      const records = [
        record(0, { props: { count: 150, ok: true, label: "it's \\ 'quoted'" } }),
        record(1, { path: "/x' OR 1=1 --", referrer: 'https://ünï.example/😀', name: 'a\nb' }),
        {
          ...emptyRecord('engagement', T0 + 1000, 'example.com'),
          visitor: 'v1',
          engaged_ms: 4200,
          scroll: 80,
        },
        { ...emptyRecord('share', T0 + 5000, 'other.org'), name: 'whatsapp', recipients: 5, user: 'u1' },
      ];
      await Promise.all([backend.store.append(records.slice(0, 2)), backend.store.append(records.slice(2))]);
      expect(await collect(backend.store.scan())).toEqual(records);
      expect(await collect(backend.store.scan({ from: T0 + 1000, to: T0 + 5000 }))).toEqual(
        records.slice(1, 3),
      );
      expect(backend.store.health()).toMatchObject({
        backend: 'clickhouse',
        written: 4,
        spooledRows: 0,
        lastWriteError: null,
      });
    } finally {
      await backend.close();
      await cleanup();
    }
  });

  it('writes hostile prop keys and values into the arrays SQL filters on, byte for byte', async () => {
    const { dir, cleanup } = await tempDir();
    const database = freshDatabase();
    const backend = await openClickHouse({
      url: server.url,
      database,
      dataDir: dir,
      clock: () => T0,
      flushMs: 20,
    });
    try {
      const props = { "k'\\\t\n": "v'\\\r\0\b\f😀", '[,]': 42.5, plain: false };
      await backend.store.append([record(0, { props, path: 'tab\there\\back' })]);
      const result = await backend.queries.client.query({
        query: `SELECT path, prop_keys, prop_values, prop_numeric FROM ${database}.events`,
        format: 'JSONEachRow',
      });
      expect(await result.json()).toEqual([
        {
          path: 'tab\there\\back',
          prop_keys: Object.keys(props),
          prop_values: Object.values(props).map(String),
          prop_numeric: [0, 1, 0],
        },
      ]);
    } finally {
      await backend.close();
      await cleanup();
    }
  });

  it('batches concurrent appends into one insert by size', async () => {
    const { dir, cleanup } = await tempDir();
    const backend = await openClickHouse({
      url: server.url,
      database: freshDatabase(),
      dataDir: dir,
      clock: () => T0,
      batchRows: 100,
      flushMs: 60_000,
    });
    try {
      // 100 rows reach the size trigger long before the 60 s timer.
      await Promise.all(
        Array.from({ length: 10 }, (_, b) =>
          backend.store.append(Array.from({ length: 10 }, (_, i) => record(b * 10 + i))),
        ),
      );
      expect(await collect(backend.store.scan())).toHaveLength(100);
    } finally {
      await backend.close();
      await cleanup();
    }
  });

  it('erases a user, exports a user and purges old days', async () => {
    const { dir, cleanup } = await tempDir();
    const backend = await openClickHouse({
      url: server.url,
      database: freshDatabase(),
      dataDir: dir,
      clock: () => T0,
      flushMs: 20,
    });
    try {
      const old = Date.parse('2026-09-15T12:00:00Z');
      await backend.store.append([
        record(0, { user: 'alice' }),
        record(1, { user: 'bob' }),
        record(2, { user: 'alice' }),
        record(3, { ts: old }),
        record(4, { ts: Date.parse('2026-11-02T12:00:00Z') }),
      ]);
      expect((await collect(backend.store.exportUser('alice'))).map((r) => r.ts)).toEqual([T0, T0 + 2000]);
      expect(await backend.store.eraseUser('alice')).toBe(2);
      expect(await collect(backend.store.exportUser('alice'))).toEqual([]);
      expect(await collect(backend.store.exportUser('bob'))).toHaveLength(1);
      expect(await backend.store.purgeBefore('2026-11-03')).toBe(2);
      expect((await collect(backend.store.scan())).map((r) => r.ts)).toEqual([T0 + 1000]);
    } finally {
      await backend.close();
      await cleanup();
    }
  });
});

describe('spool while ClickHouse is down', () => {
  it('acknowledges from the disk spool and replays it when ClickHouse is back', async () => {
    const { dir, cleanup } = await tempDir();
    const database = freshDatabase();
    const backend = await openClickHouse({
      url: server.url,
      database,
      dataDir: dir,
      clock: () => T0,
      flushMs: 20,
      replayMs: 200,
    });
    try {
      await backend.store.append([record(0)]);
      await server.stop();
      await backend.store.append([record(1), record(2)]);
      await backend.store.append([record(3)]);
      const health = backend.store.health();
      expect(health.spooledRows).toBe(3);
      expect(health.lastWriteError).toMatch(/ClickHouse insert failed/);
      expect((await readdir(join(dir, 'spool'))).filter((n) => n.endsWith('.jsonl'))).toHaveLength(2);

      await server.start();
      await backend.store.replay();
      expect(backend.store.health().spooledRows).toBe(0);
      expect((await readdir(join(dir, 'spool'))).filter((n) => n.endsWith('.jsonl'))).toEqual([]);
      expect((await collect(backend.store.scan())).map((r) => r.ts)).toEqual(
        [0, 1, 2, 3].map((i) => T0 + i * 1000),
      );
    } finally {
      if (
        !(await fetch(server.url).then(
          () => true,
          () => false,
        ))
      )
        await server.start();
      await backend.close();
      await cleanup();
    }
  });

  it('replays a spool left by a previous process at start', async () => {
    const { dir, cleanup } = await tempDir();
    const database = freshDatabase();
    const first = await openClickHouse({
      url: server.url,
      database,
      dataDir: dir,
      clock: () => T0,
      flushMs: 20,
      replayMs: 60_000,
    });
    await server.stop();
    await first.store.append([record(7)]);
    await first.close();
    await server.start();
    const second = await openClickHouse({
      url: server.url,
      database,
      dataDir: dir,
      clock: () => T0,
      flushMs: 20,
    });
    try {
      expect((await collect(second.store.scan())).map((r) => r.ts)).toEqual([T0 + 7000]);
      expect(second.store.health().spooledRows).toBe(0);
    } finally {
      await second.close();
      await cleanup();
    }
  });
});

describe('ClickHouseSaltStore', () => {
  let a: ClickHouseConnection;
  let b: ClickHouseConnection;
  beforeAll(async () => {
    const database = freshDatabase();
    a = await connectClickHouse({ url: server.url, database });
    b = await connectClickHouse({ url: server.url, database });
    await migrate(a);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('gives every collector the same salt for a day, even when they start together', async () => {
    const clock = fixedClock(T0);
    const one = new ClickHouseSaltStore(a, clock);
    const two = new ClickHouseSaltStore(b, clock);
    const [s1, s2] = await Promise.all([one.saltFor(T0), two.saltFor(T0)]);
    expect(s1.length).toBe(32);
    expect(s1.equals(s2)).toBe(true);
    const later = await new ClickHouseSaltStore(b, clock).saltFor(T0 + 3600_000);
    expect(later.equals(s1)).toBe(true);
    const tomorrow = await one.saltFor(T0 + 86_400_000);
    expect(tomorrow.equals(s1)).toBe(false);
  });

  it('destroys salts older than yesterday and creates tomorrow ahead', async () => {
    const clock = fixedClock(T0);
    const store = new ClickHouseSaltStore(a, clock);
    const day = 86_400_000;
    const old = await store.saltFor(T0 - 3 * day);
    await store.saltFor(T0 - day);
    await store.prune(T0);
    const result = await a.client.query({
      query: `SELECT DISTINCT toString(day) AS day FROM \`${a.database}\`.salts ORDER BY day`,
      format: 'JSONEachRow',
    });
    const days = (await result.json<{ day: string }>()).map((r) => r.day);
    expect(days).toEqual(['2026-11-26', '2026-11-27', '2026-11-28']);
    // A new salt store for that old day gets a fresh salt: the old one cannot be recovered.
    const again = await new ClickHouseSaltStore(b, clock).saltFor(T0 - 3 * day);
    expect(again.equals(old)).toBe(false);
  });
});

describe('settings in ClickHouse: the shared contract', () => {
  settingsContract(async () => {
    const database = freshDatabase();
    const [ca, cb] = [
      await connectClickHouse({ url: server.url, database }),
      await connectClickHouse({ url: server.url, database }),
    ];
    await migrate(ca);
    // Two collectors: b caches reads for 50 ms, so settle() waits that long.
    const a = new ClickHouseSettingsStore(ca, Date.now, 50);
    const b = new ClickHouseSettingsStore(cb, Date.now, 50);
    return {
      a,
      b,
      settle: () => new Promise((resolve) => setTimeout(resolve, 60)),
      close: async () => {
        await Promise.all([a.close(), b.close()]);
        await Promise.all([ca.close(), cb.close()]);
      },
    };
  });
});
