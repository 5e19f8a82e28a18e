import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate, generatedUserId } from '../../demo/generate.ts';
import { DAY_MS } from '../../shared/time.ts';
import { emptyRecord, type RecordKind, type StoredRecord } from '../../storage/schema.ts';
import type { Filter, MetricCardConfig } from '../../shared/api.ts';
import { openParityPair, type ParityPair } from './parity-pair.ts';
import { splitRange } from '../../query/clickhouse/rollup-days.ts';
import { rollupPlan } from '../../query/clickhouse/rollup-shapes.ts';
import { ClickHouseQueryBackend } from '../../query/clickhouse/backend.ts';

// `overall` from the per-day rollups (query/clickhouse/rollups.ts) against the in-memory engine,
// field by field: after the builder ran, and after each change that must turn days raw until
// they are built again (a late insert, an erasure, a purge). Besides the generated visitors, rows
// that are not day-local: server-side users over several days, an explicit session across
// midnight, and an id not shaped like a collector's seen on both sides of midnight.
const NOW = Date.parse('2026-11-27T12:00:00Z');
const clock = () => NOW;
const SITES = ['cloudface.ai', 'blog.example', 'shop.example'];
const CARDS: MetricCardConfig[] = [
  { id: 'photos', label: 'Photos processed', kind: 'sum', event: 'photo_processed', prop: 'processed_count' },
  { id: 'searchers', label: 'Searchers', kind: 'unique_users', event: 'search_performed' },
  {
    id: 'hits',
    label: 'Searches with matches',
    kind: 'rate',
    event: 'search_performed',
    where: { prop: 'matches_found', op: 'gt', value: 0 },
  },
  { id: 'blog-links', label: 'Links', kind: 'count', event: 'link_created', sites: ['blog.example'] },
];

function rec(kind: RecordKind, ts: number, fields: Partial<StoredRecord>): StoredRecord {
  return { ...emptyRecord(kind, ts, 'cloudface.ai'), path: '/', ...fields };
}

const MIDNIGHT = Math.floor(NOW / DAY_MS) * DAY_MS - 5 * DAY_MS;
const NON_LOCAL: StoredRecord[] = [
  ...[12, 9, 4, 2].map((d) =>
    rec('pageview', NOW - d * DAY_MS, {
      visitor: 'u:alice',
      user: 'alice',
      path: '/account',
      channel: 'direct',
    }),
  ),
  rec('action', NOW - 9 * DAY_MS + 1000, { visitor: 'u:alice', user: 'alice', name: 'photo_processed' }),
  rec('pageview', MIDNIGHT - 60_000, { visitor: 'u:bob', session: 'late-night', user: 'bob', path: '/in' }),
  rec('pageview', MIDNIGHT + 60_000, { visitor: 'u:bob', session: 'late-night', user: 'bob', path: '/out' }),
  rec('pageview', MIDNIGHT - 120_000, { visitor: 'short-id', path: '/x', site: 'blog.example' }),
  rec('pageview', MIDNIGHT + 120_000, { visitor: 'short-id', path: '/y', site: 'blog.example' }),
];

let pair: ParityPair;

beforeAll(async () => {
  const records = [
    ...generate({ seed: 11, days: 40, events: 20_000, end: NOW, sites: SITES }),
    ...NON_LOCAL,
  ].sort((a, b) => a.ts - b.ts);
  pair = await openParityPair(records, { database: 'rollups', clock, cards: CARDS, rollups: true });
}, 600_000);

afterAll(async () => {
  await pair?.close();
});

const same: ParityPair['same'] = (call) => pair.same(call);
const FILTERED: Filter[] = [['is', 'device', ['mobile']]];

/** Every shape of `overall` the dashboard asks, for all sites and for one. */
async function allOverall(): Promise<void> {
  for (const days of [1, 7, 30, 90]) await same((s) => s.overall({ days }));
  await same((s) => s.overall({ site: 'blog.example', days: 30, limit: 25 }));
  await same((s) => s.overall({ site: 'shop.example', from: '2026-11-01', to: '2026-11-20' }));
  await same((s) => s.overall({ days: 30, filters: JSON.stringify(FILTERED) }));
}

/** Builds until no closed day is left without a current build. */
async function rebuild(): Promise<void> {
  const builder = pair.backend.builder!;
  await builder.settle();
  await builder.run();
  expect(await builder.pending()).toEqual([]);
}

describe('overall from ClickHouse rollups equals the in-memory engine', () => {
  it('after the builder ran, at 24h, 7d, 30d and 90d, for all sites and one, with filters', async () => {
    expect(await pair.backend.builder!.pending()).toEqual([]);
    // The whole days of 30 days are read from rollups, on a cluster from every node's own build.
    const { config } = await rollupPlan(CARDS);
    const split = await splitRange(pair.connection, config, NOW - 30 * DAY_MS, NOW);
    expect(split?.stale).toEqual([]);
    expect(new Set(split?.days).size).toBe(29);
    // Most of them through multi-day blocks (rollup-blocks.ts): fewer pairs read than days.
    const nodes = pair.connection.cluster?.nodes.length ?? 1;
    expect(split?.blocks).toBeGreaterThanOrEqual(3);
    expect(split!.rolled.length).toBeLessThan(29 * nodes);
    if (nodes > 1)
      // Build ids carry the node in their low bits (rollup-build.ts), so the nodes' builds differ.
      expect(new Set(split?.rolled.map(([, build]) => build % 4096))).toEqual(new Set([0, 1]));
    await allOverall();
    const o = await same((s) => s.overall({ days: 30, limit: 1000 }));
    expect(o.pages.some((p) => p.key === '/account')).toBe(true);
    expect(o.returning_users).toBeGreaterThan(0);
  }, 300_000);

  it('turns a day raw after a late insert, and rolls it up again', async () => {
    const day = Math.floor((NOW - 10 * DAY_MS) / DAY_MS);
    await pair.append([
      rec('pageview', day * DAY_MS + 3_600_000, {
        visitor: '0123456789abcdef',
        path: '/late',
        country: 'NL',
      }),
    ]);
    expect(await pair.backend.builder!.pending()).toContain(day);
    // The day is raw, and so is every block holding it.
    const { config } = await rollupPlan(CARDS);
    const raw = await splitRange(pair.connection, config, NOW - 30 * DAY_MS, NOW);
    expect(raw?.stale).toEqual([day]);
    expect(raw?.days).not.toContain(day);
    const o = await same((s) => s.overall({ days: 30, limit: 1000 }));
    expect(o.pages.find((p) => p.key === '/late')?.pageviews).toBe(1);
    await rebuild();
    const again = await splitRange(pair.connection, config, NOW - 30 * DAY_MS, NOW);
    expect(again?.stale).toEqual([]);
    expect(again?.days).toContain(day);
    expect(again?.blocks).toBeGreaterThanOrEqual(3);
    await allOverall();
  }, 600_000);

  it('forgets an erased user at once, and after the rebuild', async () => {
    const user = generatedUserId(11, 0);
    const before = await same((s) => s.overall({ days: 90 }));
    await pair.eraseUser(user);
    await pair.eraseUser('alice');
    const after = await same((s) => s.overall({ days: 90 }));
    expect(after.pageviews).toBeLessThan(before.pageviews);
    await rebuild();
    await allOverall();
  }, 600_000);

  it('drops purged days at once, and after the rebuild', async () => {
    const firstKept = new Date(NOW - 20 * DAY_MS).toISOString().slice(0, 10);
    await pair.purgeBefore(firstKept);
    await allOverall();
    await rebuild();
    await allOverall();
  }, 600_000);

  it("leaves another config's builds alone (collectors of two versions side by side), each reading its own", async () => {
    const otherCards = CARDS.slice(0, 2);
    const [mine, theirs] = await Promise.all([rollupPlan(CARDS), rollupPlan(otherCards)]);
    expect(theirs.config).not.toBe(mine.config);
    const other = new ClickHouseQueryBackend(pair.connection, { cards: otherCards, clock });
    const split = (config: string) => splitRange(pair.connection, config, NOW - 30 * DAY_MS, NOW);
    const before = await split(mine.config);
    expect(before?.stale).toEqual([]);
    // The other version builds every day for its config, then collects: ours stay current.
    await other.builder!.run();
    expect(await other.builder!.pending()).toEqual([]);
    const after = await split(mine.config);
    expect(after?.stale).toEqual([]);
    expect(after?.rolled).toEqual(before?.rolled);
    // And ours collects without deleting theirs: neither rebuilds the other's days.
    await pair.backend.builder!.run();
    expect(await other.builder!.pending()).toEqual([]);
    expect((await split(theirs.config))?.days).toEqual(after?.days);
    await allOverall();
    await other.stop();
  }, 600_000);

  it('stays exact with day-local ids on two sites: on a cluster that day stays raw (so last)', async () => {
    const day = Math.floor((NOW - 3 * DAY_MS) / DAY_MS);
    // Imported ids (the collector hashes the site in), each on two sites: on a cluster some sit on two shards.
    const ids = ['fedcba9876543210', 'fedcba9876543211', 'fedcba9876543212', 'fedcba9876543213'];
    await pair.append(
      ids.flatMap((visitor, i) =>
        ['cloudface.ai', 'shop.example'].map((site, j) =>
          rec('pageview', day * DAY_MS + 3_600_000 * (1 + i) + 60_000 * j, { visitor, site, path: '/both' }),
        ),
      ),
    );
    const nodes = pair.connection.cluster?.nodes ?? [];
    const held = await Promise.all(
      nodes.map(async (node) => {
        const result = await node.client.query({
          query: `SELECT DISTINCT visitor FROM ${node.database}.events WHERE has(['${ids.join("','")}'], visitor)`,
          format: 'JSONEachRow',
        });
        return (await result.json<{ visitor: string }>()).map((r) => r.visitor);
      }),
    );
    // On a cluster, an id split over two nodes is what the builder must not sum twice.
    if (nodes.length > 1) expect(ids.some((id) => held.every((list) => list.includes(id)))).toBe(true);
    await pair.backend.builder!.settle();
    await pair.backend.builder!.run();
    expect(await pair.backend.builder!.pending()).toEqual(pair.connection.cluster ? [day] : []);
    await allOverall();
    const o = await same((s) => s.overall({ days: 7, limit: 1000 }));
    expect(o.pages.find((p) => p.key === '/both')?.visitors).toBe(ids.length);
  }, 600_000);
});
