import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClickHouse } from '../../query/clickhouse/connection.ts';
import { exec } from '../../query/clickhouse/migrate.ts';
import { ClickHouseTimeoutError, rows } from '../../query/clickhouse/run.ts';
import { quote, sql } from '../../query/clickhouse/sql.ts';
import { startClickHouse, type ClickHouseServer } from '../support/clickhouse-server.ts';

let server: ClickHouseServer;
let client: ClickHouseClient;

beforeAll(async () => {
  server = await startClickHouse();
  client = createClient({ url: server.url });
});
afterAll(async () => {
  await client?.close();
  await server?.destroy();
});

const HOSTILE = [
  "'",
  "\\'",
  "x' OR 1=1 --",
  "'); DROP TABLE system.numbers; --",
  'a\\',
  'back\\slash\\\\',
  'NUL\0inside',
  'lines\nand\rtabs\t',
  '`backtick`',
  '"double"',
  '${not a template}',
  'ünïcødé 😀 \u2028',
  '',
];

describe('the quoting module against a real ClickHouse', () => {
  it('server answers on its own port', async () => {
    const result = await client.query({ query: 'SELECT version() AS v', format: 'JSONEachRow' });
    const [row] = await result.json<{ v: string }>();
    expect(row!.v).toMatch(/^\d+\.\d+/);
  });

  it('returns every hostile string unchanged', async () => {
    const result = await client.query({
      query: sql`SELECT ${HOSTILE} AS values`.text,
      format: 'JSONEachRow',
    });
    const [row] = await result.json<{ values: string[] }>();
    expect(row!.values).toEqual(HOSTILE);
  });

  it('compares quoted strings as values, never as SQL', async () => {
    for (const s of HOSTILE) {
      const result = await client.query({
        query: `SELECT ${quote(s)} = ${quote(s)} AS same, length(${quote(s)}) AS n`,
        format: 'JSONEachRow',
      });
      const [row] = await result.json<{ same: number; n: number | string }>();
      expect(row!.same).toBe(1);
      expect(Number(row!.n)).toBe(Buffer.byteLength(s));
    }
  });
});

describe('a statement ClickHouse does not answer within the request timeout', () => {
  it('is a wait-and-retry (503 + Retry-After), for SELECTs and other statements alike', async () => {
    const conn = await connectClickHouse({ url: server.url, database: 'default', requestTimeoutMs: 300 });
    try {
      for (const run of [
        () => rows(conn, sql`SELECT sleep(2) AS s`),
        () => exec(conn, sql`CREATE TABLE default.slow ENGINE = Memory AS SELECT sleep(2) AS s`),
      ]) {
        const error = await run().then(
          () => null,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(ClickHouseTimeoutError);
        expect(error).toMatchObject({ status: 503, retryAfter: 5 });
      }
      // Any other failure keeps its own message.
      await expect(rows(conn, sql`SELECT no_such_column`)).rejects.toThrow(/no_such_column/);
    } finally {
      await conn.close();
    }
  });
});
