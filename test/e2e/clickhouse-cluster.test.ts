import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../demo/generate.ts';
import { dayEnd, dayStart } from '../../storage/day-files.ts';
import { emptyRecord, type StoredRecord } from '../../storage/schema.ts';
import {
  connectClickHouse,
  localDatabase,
  type ClickHouseConnection,
} from '../../query/clickhouse/connection.ts';
import { copyJsonToClickHouse } from '../../query/clickhouse/copy-from-json.ts';
import { migrate } from '../../query/clickhouse/migrate.ts';
import { openClickHouse } from '../../query/clickhouse/open.ts';
import { JsonlStore } from '../../storage/jsonl-store.ts';
import { listDays, readRecords } from '../../cli/read-events.ts';
import { CHROME_UA, IPHONE_UA, tempDir } from '../support/helpers.ts';
import { startServer, type RunningServer } from '../support/server-process.ts';
import { startClickHouseCluster, type ClickHouseCluster } from '../support/clickhouse-server.ts';

/*
 * Several collectors on a real two-shard cluster: two clickhouse-server processes on loopback that
 * know each other from the remote_servers file docs/scaling.md shows, each collector talking to
 * a different node, with the CLICKHOUSE_CLUSTER settings of the docs.
 */

const TOKEN = 'cluster-test-admin-token-0123456789';
let cluster: ClickHouseCluster;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  cluster = await startClickHouseCluster('analytics', 2);
});
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  await cluster?.destroy();
});

const clusterEnv = () => ({
  CLICKHOUSE_CLUSTER: cluster.name,
  CLICKHOUSE_CLUSTER_URLS: cluster.urls.join(','),
});

/** A collector process talking to node `node` of the cluster. */
async function collector(database: string, node: number): Promise<{ proc: RunningServer; dir: string }> {
  const { dir, cleanup } = await tempDir('cfa-ch-collector-');
  const proc = await startServer({
    ANALYTICS_DATA_DIR: dir,
    ANALYTICS_ADMIN_TOKEN: TOKEN,
    ANALYTICS_TRUST_PROXY: '1',
    ANALYTICS_RATE_LIMIT: '0',
    ANALYTICS_STORE: 'clickhouse',
    CLICKHOUSE_URL: cluster.urls[node]!,
    CLICKHOUSE_DATABASE: database,
    CLICKHOUSE_FLUSH_MS: '50',
    ...clusterEnv(),
  });
  cleanups.push(async () => {
    await proc.stop();
    await cleanup();
  });
  return { proc, dir };
}

/** A connection to every node's own tables (`<database>_local`), shard 1 first. */
async function shards(database: string): Promise<ClickHouseConnection[]> {
  const conns = await Promise.all(
    cluster.urls.map((url) => connectClickHouse({ url, database: localDatabase(database) })),
  );
  cleanups.push(() => Promise.all(conns.map((c) => c.close())));
  return conns;
}

async function value(conn: ClickHouseConnection, query: string): Promise<number> {
  const result = await conn.client.query({
    query: query.replaceAll('$db', `\`${conn.database}\``),
    format: 'JSONEachRow',
  });
  return Number(Object.values((await result.json<Record<string, number | string>>())[0]!)[0]);
}

/** Rows per shard matching `where`. */
const perShard = (conns: ClickHouseConnection[], where = '1') =>
  Promise.all(conns.map((c) => value(c, `SELECT count() FROM $db.events WHERE ${where}`)));

function post(url: string, body: unknown, ip: string, ua = CHROME_UA): Promise<Response> {
  return fetch(`${url}/api/event`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', 'user-agent': ua, 'x-forwarded-for': ip },
    body: JSON.stringify(body),
  });
}

async function admin<T>(url: string, path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(`${url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

describe('two collectors on a two-shard ClickHouse cluster', () => {
  it('count every visitor, page view and session once, whichever collector and shard got them', async () => {
    const [a, b] = await Promise.all([collector('shared_two', 0), collector('shared_two', 1)]);
    const urls = [a.proc.url, b.proc.url];
    // 24 visitors, each with 3 page views sent alternately to both collectors, plus 6 iPhone
    // visitors on one collector only: the same IP + user agent must hash to the same visitor on
    // both (one salt table on the first node) and its page views must form one session.
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
    // One server-side checkout session seen with and without its user id, so with two visitor
    // ids (u:alice and s:checkout-1), through both collectors: it must stay on one shard.
    for (let i = 0; i < 6; i++) {
      const body = { site: 'app.example', session_id: 'checkout-1', action: `step-${i}` };
      sends.push(
        fetch(`${urls[i % 2]}/api/analytics/track`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify(i % 2 ? body : { ...body, user_id: 'alice' }),
        }),
      );
    }
    const statuses = (await Promise.all(sends)).map((r) => r.status);
    expect(statuses.filter((s) => s !== 202 && s !== 200)).toEqual([]);

    type Overall = {
      visitors: number;
      pageviews: number;
      sessions: number;
      devices: { key: string; visitors: number }[];
    };
    for (const url of urls) {
      const overall = await admin<Overall>(url, '/api/analytics/overall?days=1&site=example.com');
      expect({
        visitors: overall.visitors,
        pageviews: overall.pageviews,
        sessions: overall.sessions,
      }).toEqual({ visitors: 30, pageviews: 78, sessions: 30 });
      expect(overall.devices.find((d) => d.key === 'mobile')?.visitors).toBe(6);
      const realtime = await admin<{ active_users_5m: number }>(url, '/api/analytics/realtime');
      expect(realtime.active_users_5m).toBe(32);
      const checkout = await admin<{ results: { metrics: number[] }[] }>(url, '/api/analytics/query', {
        method: 'POST',
        body: JSON.stringify({
          site: 'app.example',
          metrics: ['sessions', 'visitors', 'actions'],
          date_range: '24h',
        }),
      });
      expect(checkout.results[0]!.metrics).toEqual([1, 2, 6]);
    }

    // Really sharded: both shards hold page views, every session unit lives on one shard, and
    // the salts are one table on the first node.
    const nodes = await shards('shared_two');
    const pageviews = await perShard(nodes, "kind = 'pageview'");
    expect(pageviews.reduce((x, y) => x + y)).toBe(78);
    expect(pageviews.every((n) => n > 0)).toBe(true);
    const checkoutRows = await perShard(nodes, "session = 'checkout-1'");
    expect(checkoutRows.sort()).toEqual([0, 6]);
    const units = await Promise.all(
      nodes.map(async (n) => {
        const result = await n.client.query({
          query: `SELECT DISTINCT concat(site, '/', visitor) AS unit FROM \`${n.database}\`.events WHERE session = ''`,
          format: 'JSONEachRow',
        });
        return (await result.json<{ unit: string }>()).map((r) => r.unit);
      }),
    );
    expect(units.every((list) => list.length > 0)).toBe(true);
    expect(units[0]!.filter((u) => units[1]!.includes(u))).toEqual([]);
    const salts = await Promise.all(nodes.map((n) => value(n, 'SELECT count() FROM $db.salts')));
    expect(salts[0]).toBeGreaterThan(0);
    expect(salts.slice(1)).toEqual([0]);

    const health = await admin<{ store?: { backend?: string } }>(a.proc.url, '/healthz');
    expect(health.store?.backend).toBe('clickhouse');
  });

  it('erases a user and purges old days on every shard', async () => {
    const { dir, cleanup } = await tempDir('cfa-ch-erase-');
    cleanups.push(cleanup);
    const now = Date.parse('2026-11-20T12:00:00Z');
    const ch = await openClickHouse({
      url: cluster.urls[1]!,
      cluster: { name: cluster.name, urls: cluster.urls },
      database: 'erase',
      dataDir: dir,
      clock: () => now,
    });
    cleanups.push(() => ch.close());
    const records: StoredRecord[] = [];
    // Two months, so the purge drops a whole partition and deletes part of another on each shard.
    for (let i = 0; i < 400; i++) {
      const ts = Date.parse('2026-10-25T00:00:00Z') + i * 3_600_000;
      records.push({
        ...emptyRecord('pageview', ts, 'example.com'),
        visitor: `v${i % 37}`,
        user: i % 5 === 0 ? 'bob' : '',
        path: '/',
      });
    }
    await ch.store.append(records);
    const nodes = await shards('erase');
    expect((await perShard(nodes, "user = 'bob'")).every((n) => n > 0)).toBe(true);

    expect(await ch.store.eraseUser('bob')).toBe(80);
    expect(await perShard(nodes, "user = 'bob'")).toEqual([0, 0]);

    const firstKept = '2026-11-05';
    await ch.store.purgeBefore(firstKept);
    expect(await perShard(nodes, `ts < ${dayStart(firstKept)}`)).toEqual([0, 0]);
    const kept = records.filter((r) => r.user !== 'bob' && r.ts >= dayStart(firstKept)).length;
    expect((await perShard(nodes)).reduce((x, y) => x + y)).toBe(kept);
  });
});

describe('a shard stopped in the middle of a load', () => {
  it('loses no acknowledged event: the spool holds them and is replayed after the restart', async () => {
    const { proc, dir } = await collector('outage', 0);
    const conn = await connectClickHouse({
      url: cluster.urls[0]!,
      database: 'outage',
      cluster: { name: cluster.name, urls: cluster.urls },
    });
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
    const distinctPaths = () => value(conn, 'SELECT uniqExact(path) FROM $db.events');
    await burst(0, 100);
    await cluster.servers[1]!.stop();
    await burst(100, 150);
    const spooled = (await readdir(join(dir, 'spool'))).filter((n) => n.endsWith('.jsonl'));
    expect(spooled.length).toBeGreaterThan(0);
    await cluster.servers[1]!.start();
    await burst(250, 100);
    expect(acknowledged + refused).toBe(350);
    expect(acknowledged).toBeGreaterThanOrEqual(340);
    // The spool is retried every 5 s. A batch whose insert reached shard 1 but not shard 2 is
    // replayed whole, so shard 1 may hold some rows twice (at-least-once): count distinct pages.
    const deadline = Date.now() + 60_000;
    while ((await distinctPaths().catch(() => 0)) < acknowledged && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 500));
    expect(await distinctPaths()).toBe(acknowledged);
    expect((await readdir(join(dir, 'spool'))).filter((n) => n.endsWith('.jsonl'))).toEqual([]);
  });
});

describe('copying JSON history into a cluster', () => {
  it('copies every record once, spread over the shards, and skips days already copied', async () => {
    const { dir, cleanup } = await tempDir('cfa-ch-import-');
    cleanups.push(cleanup);
    const end = Date.parse('2026-11-20T00:00:00Z');
    const json = await JsonlStore.open({ dataDir: dir, compressEveryMs: 0 });
    const records = [...generate({ seed: 3, days: 5, events: 6000, end })];
    await json.append(records);
    await json.close();
    const conn = await connectClickHouse({
      url: cluster.urls[0]!,
      database: 'imported',
      cluster: { name: cluster.name, urls: cluster.urls },
    });
    cleanups.push(() => conn.close());
    await migrate(conn);
    const days = await listDays(dir);
    expect(days.length).toBeGreaterThanOrEqual(5);
    const readDay = (day: string) => readRecords(dir, { from: dayStart(day), to: dayEnd(day) });
    const first = await copyJsonToClickHouse({ conn, days, readDay, batchRows: 1000 });
    expect(first).toMatchObject({ records: 6000, copiedDays: days.length, skippedDays: 0 });
    const count = (where: string) => value(conn, `SELECT count() FROM $db.events WHERE ${where}`);
    expect(await count('1')).toBe(6000);
    const pageviews = records.filter((r) => r.kind === 'pageview').length;
    expect(await count("kind = 'pageview'")).toBe(pageviews);
    const spread = await perShard(await shards('imported'));
    expect(spread.every((n) => n > 1000)).toBe(true);

    const again = await copyJsonToClickHouse({ conn, days, readDay });
    expect(again).toMatchObject({ records: 0, copiedDays: 0, skippedDays: days.length });
    expect(await count('1')).toBe(6000);
  });
});
