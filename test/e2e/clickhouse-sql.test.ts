import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
