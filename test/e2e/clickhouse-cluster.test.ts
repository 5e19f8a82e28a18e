import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../demo/generate.ts';
import { dayEnd, dayStart } from '../../storage/day-files.ts';
import { connectClickHouse, type ClickHouseConnection } from '../../query/clickhouse/connection.ts';
import { copyJsonToClickHouse } from '../../query/clickhouse/copy-from-json.ts';
import { migrate } from '../../query/clickhouse/migrate.ts';
import { JsonlStore } from '../../storage/jsonl-store.ts';
import { listDays, readRecords } from '../../cli/read-events.ts';
import { CHROME_UA, IPHONE_UA, tempDir } from '../support/helpers.ts';
import { startServer, type RunningServer } from '../support/server-process.ts';
import { startClickHouse, type ClickHouseServer } from '../support/clickhouse-server.ts';

const TOKEN = 'cluster-test-admin-token-0123456789';
let server: ClickHouseServer;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  server = await startClickHouse();
});
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  await server?.destroy();
});

async function collector(database: string): Promise<{ proc: RunningServer; dir: string }> {
  const { dir, cleanup } = await tempDir('cfa-ch-collector-');
  const proc = await startServer({
    ANALYTICS_DATA_DIR: dir,
    ANALYTICS_ADMIN_TOKEN: TOKEN,
    ANALYTICS_TRUST_PROXY: '1',
    ANALYTICS_RATE_LIMIT: '0',
    ANALYTICS_STORE: 'clickhouse',
    CLICKHOUSE_URL: server.url,
    CLICKHOUSE_DATABASE: database,
    CLICKHOUSE_FLUSH_MS: '50',
  });
  cleanups.push(async () => {
    await proc.stop();
    await cleanup();
  });
  return { proc, dir };
}

function post(url: string, body: unknown, ip: string, ua = CHROME_UA): Promise<Response> {
  return fetch(`${url}/api/event`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', 'user-agent': ua, 'x-forwarded-for': ip },
    body: JSON.stringify(body),
  });
}

async function analytics<T>(url: string, path: string): Promise<T> {
  const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

async function count(conn: ClickHouseConnection, where = '1'): Promise<number> {
  const result = await conn.client.query({
    query: `SELECT count() AS n FROM \`${conn.database}\`.events WHERE ${where}`,
    format: 'JSONEachRow',
  });
  return Number((await result.json<{ n: string | number }>())[0]!.n);
}

describe('two collectors sharing one ClickHouse', () => {
  it('count every visitor, page view and session once, whichever collector got the events', async () => {
    const [a, b] = await Promise.all([collector('shared_two'), collector('shared_two')]);
    const urls = [a.proc.url, b.proc.url];
    // 24 visitors, each with 3 page views sent alternately to both collectors, plus 6 iPhone
    // visitors on one collector only: the same IP + user agent must hash to the same visitor on
    // both (shared daily salt) and its page views must form one session across collectors.
    const sends: Promise<Response>[] = [];
    for (let v = 0; v < 24; v++) {
      for (let p = 0; p < 3; p++) {
        const url = urls[(v + p) % 2]!;
        sends.push(
          post(url, { k: 'p', s: 'example.com', u: `https://example.com/page-${p}` }, `81.2.69.${v + 1}`),
        );
      }
    }
    for (let v = 0; v < 6; v++) {
      sends.push(
        post(
          urls[1]!,
          { k: 'p', s: 'example.com', u: 'https://example.com/' },
          `81.2.70.${v + 1}`,
          IPHONE_UA,
        ),
      );
    }
    const statuses = (await Promise.all(sends)).map((r) => r.status);
    expect(statuses.every((s) => s === 202)).toBe(true);

    type Overall = {
      visitors: number;
      pageviews: number;
      sessions: number;
      devices: { key: string; visitors: number }[];
    };
    for (const url of urls) {
      const overall = await analytics<Overall>(url, '/api/analytics/overall?days=1');
      expect({
        visitors: overall.visitors,
        pageviews: overall.pageviews,
        sessions: overall.sessions,
      }).toEqual({
        visitors: 30,
        pageviews: 78,
        sessions: 30,
      });
      expect(overall.devices.find((d) => d.key === 'mobile')?.visitors).toBe(6);
      const realtime = await analytics<{ active_users_5m: number }>(url, '/api/analytics/realtime');
      expect(realtime.active_users_5m).toBe(30);
    }
    const health = await fetch(`${a.proc.url}/healthz`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    }).then((r) => r.json() as Promise<{ store?: { backend?: string } }>);
    expect(health.store?.backend).toBe('clickhouse');
  });
});

describe('ClickHouse stopped in the middle of a load', () => {
  it('loses no acknowledged event: the spool holds them and is replayed after the restart', async () => {
    const { proc, dir } = await collector('outage');
    const conn = await connectClickHouse({ url: server.url, database: 'outage' });
    cleanups.push(() => conn.close());
    let acknowledged = 0;
    let refused = 0;
    const send = async (i: number) => {
      const res = await post(
        proc.url,
        { k: 'p', s: 'example.com', u: `https://example.com/${i}` },
        `81.2.71.${(i % 200) + 1}`,
      );
      if (res.status === 202) acknowledged += 1;
      else if (res.status === 503) refused += 1;
      else throw new Error(`unexpected ${res.status}`);
    };
    const burst = async (from: number, n: number) => {
      for (let i = from; i < from + n; i += 10)
        await Promise.all(Array.from({ length: 10 }, (_, k) => send(i + k)));
    };
    await burst(0, 100);
    await server.stop();
    await burst(100, 150);
    const spooled = (await readdir(join(dir, 'spool'))).filter((n) => n.endsWith('.jsonl'));
    expect(spooled.length).toBeGreaterThan(0);
    await server.start();
    await burst(250, 100);
    expect(acknowledged + refused).toBe(350);
    expect(acknowledged).toBeGreaterThanOrEqual(340);
    // The spool is retried every 5 s.
    const deadline = Date.now() + 60_000;
    while ((await count(conn)) < acknowledged && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 500));
    expect(await count(conn)).toBe(acknowledged);
    expect((await readdir(join(dir, 'spool'))).filter((n) => n.endsWith('.jsonl'))).toEqual([]);
  });
});

describe('copying JSON history into ClickHouse', () => {
  it('copies every record once and skips days already copied when run again', async () => {
    const { dir, cleanup } = await tempDir('cfa-ch-import-');
    cleanups.push(cleanup);
    const end = Date.parse('2026-11-20T00:00:00Z');
    const json = await JsonlStore.open({ dataDir: dir, compressEveryMs: 0 });
    const records = [...generate({ seed: 3, days: 5, events: 6000, end })];
    await json.append(records);
    await json.close();
    const conn = await connectClickHouse({ url: server.url, database: 'imported' });
    cleanups.push(() => conn.close());
    await migrate(conn);
    const days = await listDays(dir);
    expect(days.length).toBeGreaterThanOrEqual(5);
    const readDay = (day: string) => readRecords(dir, { from: dayStart(day), to: dayEnd(day) });
    const progress: number[] = [];
    const first = await copyJsonToClickHouse({
      conn,
      days,
      readDay,
      batchRows: 1000,
      onProgress: (p) => progress.push(p.daysDone),
    });
    expect(first).toMatchObject({
      records: 6000,
      copiedDays: days.length,
      skippedDays: 0,
      interrupted: false,
    });
    expect(progress).toEqual(days.map((_, i) => i + 1));
    expect(await count(conn)).toBe(6000);
    const pageviews = records.filter((r) => r.kind === 'pageview').length;
    expect(await count(conn, "kind = 'pageview'")).toBe(pageviews);

    const again = await copyJsonToClickHouse({ conn, days, readDay });
    expect(again).toMatchObject({ records: 0, copiedDays: 0, skippedDays: days.length });
    expect(await count(conn)).toBe(6000);
  });
});
