import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openParityPair, type ParityPair } from './parity-pair.ts';
import { emptyRecord, type RecordKind, type StoredRecord } from '../../storage/schema.ts';
import { baseQuery } from '../../query/compose/query.ts';
import type { Dimension, Filter, NormalizedQuery } from '../../shared/api.ts';
import type { QueryRows } from '../../query/backend.ts';

// Session boundaries the range build (query/clickhouse/session-build.ts) must cut exactly
// where the in-memory engine does: a gap of exactly 30 minutes, one more millisecond, equal
// timestamps, explicit sessions that never split, and the same visitor on two sites.
const NOW = Date.parse('2026-11-27T12:00:00Z');
const T = NOW - 3 * 3_600_000;
const GAP = 30 * 60 * 1000;
const clock = () => NOW;

function rec(kind: RecordKind, ts: number, fields: Partial<StoredRecord>): StoredRecord {
  return { ...emptyRecord(kind, ts, 'a.example'), path: '/', ...fields };
}

const RECORDS: StoredRecord[] = [
  // v1: gap exactly 30 min (same session), then 30 min + 1 ms (new session).
  rec('pageview', T, { visitor: 'v1', path: '/a', source: 'Google', channel: 'search' }),
  rec('pageview', T + GAP, { visitor: 'v1', path: '/b' }),
  rec('pageview', T + 2 * GAP + 1, { visitor: 'v1', path: '/c', source: 'Bing' }),
  rec('action', T + 2 * GAP + 1, { visitor: 'v1', name: 'clicked' }),
  // v2: equal timestamps, an engagement before the page view of the same ms, a bounce later.
  rec('engagement', T + 10, { visitor: 'v2', path: '/x', engaged_ms: 900, scroll: 40 }),
  rec('pageview', T + 10, { visitor: 'v2', path: '/x', referrer: 'https://ref.example/' }),
  rec('pageview', T + 20, { visitor: 'v2', path: '/y' }),
  rec('pageview', T + 20 + GAP + 5, { visitor: 'v2', path: '/z', utm_source: 'mail' }),
  // Explicit server-side session: hours apart, still one session; its visitor differs per record.
  rec('pageview', T + 5, { visitor: 'u:alice', session: 's1', user: 'alice', path: '/in' }),
  rec('action', T + 3 * GAP, { visitor: 'u:alice', session: 's1', user: 'alice', name: 'paid' }),
  rec('share', T + 4 * GAP, { visitor: 's:s1', session: 's1', name: 'whatsapp', recipients: 2 }),
  // A page view of that session without the user id: a second visitor of one session.
  rec('pageview', T + 4 * GAP + 1, { visitor: 's:s1', session: 's1', path: '/in2' }),
  // The same visitor hash on another site is another unit.
  rec('pageview', T + 15, { visitor: 'v1', site: 'b.example', path: '/other' }),
  rec('pageview', T + 16, { visitor: 'v1', site: 'b.example', path: '/other2' }),
];

let pair: ParityPair;

beforeAll(async () => {
  pair = await openParityPair(RECORDS, { database: 'sessions', clock, cards: [] });
});

afterAll(async () => {
  await pair?.close();
});

const same: ParityPair['same'] = (call) => pair.same(call);

describe('ClickHouse cuts sessions exactly like the in-memory engine', () => {
  it('counts sessions at the 30-minute edge, on equal timestamps and for explicit sessions', async () => {
    const result = await same((s) =>
      s.query({ metrics: ['sessions', 'bounce_rate', 'session_duration'], date_range: '24h' }),
    );
    // v1: 2, v2: 2, s1: 1, v1 on b.example: 1.
    expect(result.results[0]!.metrics[0]).toBe(6);
  });

  it('gives every record its session attributes', async () => {
    await same((s) =>
      s.query({
        metrics: ['visitors', 'sessions', 'pageviews', 'views_per_session', 'scroll_depth'],
        dimensions: ['entry_page', 'exit_page', 'source', 'utm_source'],
        date_range: '24h',
      }),
    );
    await same((s) => s.overall({ days: 1 }));
    await same((s) => s.journeys({ date_range: '24h' }));
    await same((s) =>
      s.funnel({ date_range: '24h', steps: [{ type: 'page', value: '/in' }, { type: 'share' }] }),
    );
  });

  it('cuts the same sessions when a query sessionizes only the units it needs', async () => {
    // Session figures by record groups, users and journeys sessionize in the statement itself
    // (compactSessions), funnels key their step records (sessionizedRows).
    for (const filters of [[], [['is', 'user', ['alice']]], [['contains', 'page', ['/']]]] as Filter[][]) {
      const result = await same((s) =>
        s.query({
          metrics: ['sessions', 'bounce_rate', 'session_duration', 'views_per_session'],
          dimensions: ['page', 'time:hour'],
          date_range: '24h',
          filters,
        }),
      );
      expect(result.results.length).toBeGreaterThan(0);
      await same((s) => s.query({ metrics: ['sessions', 'bounce_rate'], date_range: '24h', filters }));
      await same((s) => s.journeys({ date_range: '24h', filters }));
    }
    const users = await same((s) => s.users({ days: 1 }));
    expect(users.users.map((u) => [u.user_id, u.sessions])).toEqual([['alice', 1]]);
    await same((s) => s.user('alice', { days: 1 }));
    await same((s) =>
      s.funnel({
        date_range: '24h',
        steps: [
          { type: 'page', value: '/b' },
          { type: 'page', value: '/c' },
        ],
      }),
    );
  });

  it('counts every visitor of a session in the page-view top lists', async () => {
    const dims: Dimension[] = ['entry_page', 'exit_page', 'source', 'page', 'device'];
    for (const filters of [[], [['is', 'entry_page', ['/in']]]] as Filter[][]) {
      const base = { ...baseQuery(null, NOW - 86_400_000, NOW + 1), filters };
      const lists = await Promise.all(
        [pair.memory, pair.clickhouse].map((s) =>
          (s.backend as unknown as TopLists).topLists(base, dims).then(sorted),
        ),
      );
      expect(lists[1]).toEqual(lists[0]);
      // Session s1 entered on /in: two visitors (with and without the user id), two page views.
      const entry = lists[1]![0]!.find((r) => r.dimensions[0] === '/in');
      expect(entry?.metrics).toEqual([2, 2]);
    }
  });
});

interface TopLists {
  topLists(base: NormalizedQuery, dims: readonly Dimension[]): Promise<QueryRows[]>;
}

function sorted(lists: QueryRows[]): QueryRows[] {
  return lists.map((rows) => [...rows].sort((a, b) => (a.dimensions[0]! < b.dimensions[0]! ? -1 : 1)));
}
