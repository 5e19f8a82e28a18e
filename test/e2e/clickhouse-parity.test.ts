import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate, generatedUserId } from '../../demo/generate.ts';
import { baseQuery } from '../../query/compose/query.ts';
import { DAY_MS } from '../../shared/time.ts';
import { METRICS, type Dimension, type Filter, type NormalizedQuery } from '../../shared/api.ts';
import { type QueryRows } from '../../query/backend.ts';
import { openParityPair, type ParityPair } from './parity-pair.ts';

// About 40k records over 40 days on three sites: enough sessions, users, shares and funnels for
// every figure to be non-trivial, small enough to load twice in a few seconds.
const NOW = Date.parse('2026-11-27T12:00:00Z');
const DATASET = {
  seed: 7,
  days: 40,
  events: 40_000,
  end: NOW,
  sites: ['cloudface.ai', 'blog.example', 'shop.example'],
};
const clock = () => NOW;

let pair: ParityPair;

// Closed days are rolled up first (query/clickhouse/rollups.ts), so long ranges compare the rollups
// plus the raw rest with the in-memory engine; filtered and other questions stay raw.
beforeAll(async () => {
  pair = await openParityPair(generate(DATASET), { database: 'parity', clock, cards: CARDS, rollups: true });
}, 900_000);

afterAll(async () => {
  await pair?.close();
});

const CARDS = [
  { id: 'photos', label: 'Photos processed', kind: 'sum', event: 'photo_processed', prop: 'processed_count' },
  { id: 'searchers', label: 'Searchers', kind: 'unique_users', event: 'search_performed' },
  { id: 'links', label: 'Links', kind: 'count', event: 'link_created' },
  {
    id: 'hits',
    label: 'Searches with matches',
    kind: 'rate',
    event: 'search_performed',
    where: { prop: 'matches_found', op: 'gt', value: 0 },
  },
] as const;

const same: ParityPair['same'] = (call) => pair.same(call);

describe('ClickHouse answers exactly like the in-memory engine', () => {
  it.each([1, 7, 30, 90])('overall, last %i days', async (days) => {
    const result = await same((s) => s.overall({ days }));
    expect(result.pageviews).toBeGreaterThan(0);
  });

  it('overall for one site and for dates', async () => {
    await same((s) => s.overall({ site: 'cloudface.ai', days: 30, limit: 25 }));
    await same((s) => s.overall({ site: 'blog.example', from: '2026-11-01', to: '2026-11-20' }));
  });

  // A filtered overall asks its record questions (totals, cards with a prop sum and a rate, time
  // series, actions, shares) in one gathered statement, and its session totals from the range's
  // attributes; a filter matching nothing still gives each question its row of zeros.
  it('overall under record filters, its questions gathered, and under a filter matching nothing', async () => {
    const result = await same((s) => s.overall({ days: 30, filters: '[["is","country",["US"]]]' }));
    expect(result.sessions).toBeGreaterThan(0);
    expect(result.metrics.some((m) => m.value > 0)).toBe(true);
    await same((s) =>
      s.overall({ site: 'shop.example', days: 7, filters: '[["is_not","device",["mobile"]]]' }),
    );
    const none = await same((s) =>
      s.overall({ days: 30, filters: '[["is","country",["no such country"]]]' }),
    );
    expect(none.visitors).toBe(0);
  });

  // Session attributes under record filters are made only for the units holding a matching record
  // (the record kind aside), and shared by every question of one filtered overall.
  it('overall under record filters mixed with kind, session, visitor and grouped filters', async () => {
    const mixed: Filter[][] = [
      [
        ['is', 'country', ['US', 'DE']],
        ['is_not', 'channel', ['direct']],
      ],
      [['is', 'event:kind', ['pageview']]],
      [
        [
          'or',
          [
            ['is', 'device', ['mobile']],
            ['contains', 'page', ['pric']],
          ],
        ],
        ['is', 'event:kind', ['pageview', 'action']],
      ],
      [
        ['visitor', ['is', 'event:kind', ['share']]],
        ['is_not', 'browser', ['Firefox']],
      ],
      [
        ['not', ['is', 'country', ['US']]],
        ['is', 'entry_page', ['/']],
      ],
    ];
    for (const filters of mixed) {
      const result = await same((s) => s.overall({ days: 30, filters: JSON.stringify(filters) }));
      expect(result.sessions).toBeGreaterThan(0);
    }
    await same((s) =>
      s.query({
        metrics: ['visitors', 'sessions', 'bounce_rate', 'session_duration', 'scroll_depth'],
        dimensions: ['source'],
        filters: [['is', 'country', ['US']]],
        date_range: '30d',
      }),
    );
  });

  it('realtime, users, user, virality, retention, journeys', async () => {
    await same((s) => s.realtime());
    const users = await same((s) => s.users({ days: 30 }));
    expect(users.total).toBeGreaterThan(0);
    await same((s) => s.users({ days: 90, sort: 'pageviews', order: 'desc', limit: 20, offset: 5 }));
    await same((s) => s.user(generatedUserId(7, 0), { days: 90 }));
    await same((s) => s.user(generatedUserId(7, 3), { days: 30 }));
    await same((s) => s.virality({ days: 30 }));
    const retention = await same((s) => s.retention({ date_range: '90d' }));
    expect(retention.cohorts.length).toBeGreaterThan(0);
    const journeys = await same((s) => s.journeys({ date_range: '30d', limit: 15 }));
    expect(journeys.transitions.length).toBeGreaterThan(0);
  });

  it('virality under record filters (shared visits sessionize only the units that may hold one) and under session filters', async () => {
    const all = await same((s) => s.virality({ days: 40 }));
    expect(all.total_shared_visits).toBeGreaterThan(0);
    await same((s) => s.virality({ site: 'cloudface.ai', days: 7 }));
    const filtered = await same((s) =>
      s.virality({
        days: 40,
        filters: [
          ['is_not', 'country', ['']],
          ['contains', 'page', ['o']],
        ],
      }),
    );
    expect(filtered.total_shared_visits).toBeGreaterThan(0);
    expect(filtered.total_shared_visits).toBeLessThan(all.total_shared_visits);
    await same((s) => s.virality({ days: 40, filters: [['is', 'channel', ['social', 'direct']]] }));
    // Visitor filters go to the general query (its GLOBAL IN, so on a cluster too).
    await same((s) => s.virality({ days: 40, filters: [['visitor', ['is', 'event:kind', ['share']]]] }));
  });

  it('properties, and event lists cut by their limit with the same sessions', async () => {
    const props = await same((s) => s.properties({ action: 'photo_processed', date_range: '90d' }));
    expect(props.count).toBeGreaterThan(0);
    expect(props.properties.length).toBeGreaterThan(0);
    // Event lists key only the records their limit keeps; the sessions must still be the whole range's.
    const runs: [Filter[], number][] = [
      [[], 1],
      [[['is', 'event:kind', ['action']]], 37],
      [[['is_not', 'user', ['']]], 400],
    ];
    for (const [filters, limit] of runs)
      for (const order of ['asc', 'desc'] as const) {
        const q = {
          site: null,
          from: NOW - 30 * DAY_MS,
          to: NOW,
          filters,
          order,
          limit,
          skipEngagement: false,
        };
        const [a, b] = await Promise.all([pair.memory.backend.events(q), pair.clickhouse.backend.events(q)]);
        expect(b.length).toBe(limit);
        expect(b.map(({ session: _s, ...rest }) => rest)).toEqual(a.map(({ session: _s, ...rest }) => rest));
        expect(partition(b.map((e) => e.session))).toEqual(partition(a.map((e) => e.session)));
      }
  });

  it('funnels per session and within a time window', async () => {
    const f = await same((s) => s.funnel({ date_range: '30d' }));
    expect(f.steps[0]!.visitors).toBeGreaterThan(0);
    await same((s) =>
      s.funnel({
        date_range: '90d',
        window_minutes: 60,
        steps: [
          { type: 'page', value: '/' },
          { type: 'action', value: 'photo_processed' },
          { type: 'share' },
        ],
      }),
    );
  });

  it.each([
    ['every metric, no dimension', { metrics: [...METRICS], date_range: '30d' }],
    [
      'pages',
      {
        metrics: ['visitors', 'pageviews', 'time_on_page', 'scroll_depth', 'bounce_rate'],
        dimensions: ['page'],
        date_range: '30d',
      },
    ],
    [
      'sources by day',
      {
        metrics: ['visitors', 'sessions', 'session_duration'],
        dimensions: ['time:day', 'source'],
        date_range: '7d',
      },
    ],
    [
      'entry and exit pages',
      {
        metrics: ['sessions', 'views_per_session'],
        dimensions: ['entry_page', 'exit_page'],
        date_range: '30d',
      },
    ],
    ['weeks and months', { metrics: ['visitors', 'events'], dimensions: ['time:week'], date_range: '90d' }],
    ['months', { metrics: ['pageviews', 'users'], dimensions: ['time:month', 'country'], date_range: 'all' }],
    ['hours', { metrics: ['pageviews'], dimensions: ['time:hour'], date_range: '24h' }],
    [
      'actions with prop sums',
      {
        metrics: ['actions', 'prop_sum:processed_count', 'prop_sum:matches_found'],
        dimensions: ['event:name'],
        date_range: '30d',
      },
    ],
    [
      'share channels',
      { metrics: ['shares', 'recipients'], dimensions: ['share:channel'], date_range: '30d' },
    ],
    [
      'a prop dimension',
      { metrics: ['actions'], dimensions: ['event:props:threshold_used'], date_range: '30d' },
    ],
    [
      'filters: is, contains, not, or, numeric, session dimension',
      {
        metrics: ['visitors', 'sessions', 'pageviews', 'conversion_rate', 'bounce_rate'],
        dimensions: ['device'],
        date_range: '30d',
        filters: [
          ['is_not', 'country', ['']],
          [
            'or',
            [
              ['contains', 'page', ['PHOTO']],
              ['is', 'channel', ['search', 'social']],
            ],
          ],
          ['not', ['matches', 'browser', ['^Sam']]],
        ],
      },
    ],
    [
      'numeric filter on a prop',
      {
        metrics: ['actions', 'visitors'],
        filters: [['gt', 'event:props:matches_found', [10]]],
        date_range: '30d',
      },
    ],
    [
      'comparison with the previous period',
      {
        metrics: ['visitors', 'pageviews'],
        dimensions: ['browser'],
        date_range: '7d',
        compare: 'previous_period',
      },
    ],
    [
      'order, limit and offset',
      {
        metrics: ['pageviews'],
        dimensions: ['city'],
        date_range: '30d',
        order_by: [['pageviews', 'desc']],
        limit: 7,
        offset: 3,
      },
    ],
  ])('general query: %s', async (_name, body) => {
    const result = await same((s) => s.query(body));
    expect(result.results.length).toBeGreaterThan(0);
  });
});

interface TopListBackend {
  topLists(base: NormalizedQuery, dims: readonly Dimension[]): Promise<QueryRows[]>;
}

/** Rows in a fixed order, so two backends' unsorted answers compare. */
function sorted(lists: QueryRows[]): QueryRows[] {
  return lists.map((rows) => [...rows].sort((a, b) => (a.dimensions[0]! < b.dimensions[0]! ? -1 : 1)));
}

describe('ClickHouse page-view top lists in one call', () => {
  const DIMS: Dimension[] = [
    'entry_page',
    'exit_page',
    'source',
    'channel',
    'referrer',
    'utm_source',
    'utm_medium',
    'utm_campaign',
    'country',
    'region',
    'city',
    'browser',
    'os',
    'device',
    'page',
    'user',
    'time:day',
    'event:props:threshold_used',
  ];

  it.each([
    ['every site, 30 days, no filter', null, 30, []],
    ['one site, 7 days, a record filter', 'cloudface.ai', 7, [['is_not', 'country', ['']]]],
    [
      'every site, 90 days, filters on session attributes and records',
      null,
      90,
      [
        ['is', 'channel', ['search', 'social', 'direct']],
        ['contains', 'page', ['o']],
      ],
    ],
    ['a site with no records', 'nowhere.example', 30, []],
  ] as [string, string | null, number, Filter[]][])('%s', async (_name, site, days, filters) => {
    const base = { ...baseQuery(site, NOW - days * DAY_MS, NOW + 1), filters };
    const memory = pair.memory.backend as unknown as TopListBackend;
    const clickhouse = pair.clickhouse.backend as unknown as TopListBackend;
    const [a, b] = await Promise.all([memory.topLists(base, DIMS), clickhouse.topLists(base, DIMS)]);
    expect(sorted(b)).toEqual(sorted(a));
    // The contract: each list is what the general query answers for that dimension over page views.
    const general = await Promise.all(
      DIMS.map((d) =>
        pair.clickhouse.backend.query({
          ...base,
          metrics: ['visitors', 'pageviews'],
          dimensions: [d],
          filters: [...filters, ['is', 'event:kind', ['pageview']]],
        }),
      ),
    );
    expect(sorted(b)).toEqual(sorted(general));
    if (site !== 'nowhere.example') expect(b.every((rows) => rows.length > 0)).toBe(true);
  });
});

describe('ClickHouse new vs returning users in one statement', () => {
  interface Direct {
    newVsReturning(base: NormalizedQuery): Promise<{ new_users: number; returning_users: number }>;
  }

  it.each([
    [null, 1],
    [null, 7],
    [null, 30],
    ['cloudface.ai', 30],
    ['blog.example', 90],
  ] as [string | null, number][])('site %s, last %i days', async (site, days) => {
    const base = baseQuery(site, NOW - days * DAY_MS, NOW + 1);
    const [a, b] = await Promise.all(
      [pair.memory, pair.clickhouse].map((s) => (s.backend as unknown as Direct).newVsReturning(base)),
    );
    expect(b).toEqual(a);
    if (site !== 'blog.example' && days >= 7) expect(a!.new_users * a!.returning_users).toBeGreaterThan(0);
  });
});

/** Each key as the position of its first appearance: equal when the keys group the items alike. */
function partition(keys: string[]): number[] {
  const first = new Map<string, number>();
  return keys.map((k) => {
    if (!first.has(k)) first.set(k, first.size);
    return first.get(k)!;
  });
}
