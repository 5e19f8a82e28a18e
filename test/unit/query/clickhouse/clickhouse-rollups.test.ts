import { describe, expect, it } from 'vitest';
import { DEFAULT_CARDS } from '../../../../query/cards-config.ts';
import type { Figures } from '../../../../query/clickhouse/aggregate.ts';
import { currentBuild, restOf, rolledDays, type BuildRow } from '../../../../query/clickhouse/rollup-days.ts';
import { rollupPlan, shapeKey } from '../../../../query/clickhouse/rollup-shapes.ts';
import { addFigures, rowsOfFigures } from '../../../../query/clickhouse/rollups.ts';
import { scopeWhere } from '../../../../query/clickhouse/prepared.ts';
import { raw } from '../../../../query/clickhouse/sql.ts';

const DAY = 86_400_000;

describe('ClickHouse rollups: which days are read from a build', () => {
  const build = (b: Partial<BuildRow>): BuildRow => ({
    day: 20_000,
    build: 1,
    fp_rows: 100,
    fp_block: 7,
    built_at: 1000,
    ...b,
  });

  it('takes the newest build made from the day as it is now', () => {
    const fp = { rows: 100, block: 7 };
    const older = build({ build: 5, built_at: 1000 });
    const newer = build({ build: 3, built_at: 2000 });
    expect(currentBuild(fp, [older, newer])).toBe(newer);
    // Two collectors finishing in the same second: the larger id, as every reader picks it.
    const twin = build({ build: 9, built_at: 2000 });
    expect(currentBuild(fp, [newer, twin, older])).toBe(twin);
  });

  it('uses no build after a late insert (higher block) or an erasure (fewer rows)', () => {
    const made = [build({})];
    expect(currentBuild({ rows: 101, block: 8 }, made)).toBeNull();
    expect(currentBuild({ rows: 90, block: 7 }, made)).toBeNull();
    expect(currentBuild({ rows: 100, block: 7 }, made)).toBe(made[0]);
  });

  it("on a cluster, rolls a day only when every node holding it has a current build, with each node's build", () => {
    const a = build({ build: 4096 * 5 });
    const b = build({ build: 4096 * 8 + 1 });
    const nodeA = new Map<number, BuildRow | null>([
      [20_000, a],
      [20_001, null],
      [20_002, build({ day: 20_002, build: 4096 * 2 })],
    ]);
    // Node B holds no rows of 20_002, so node A's build alone covers it.
    const nodeB = new Map<number, BuildRow | null>([
      [20_000, b],
      [20_001, build({ day: 20_001, build: 4096 * 3 + 1 })],
      [20_003, null],
    ]);
    expect(rolledDays([nodeA, nodeB])).toEqual({
      rolled: [
        [20_000, 4096 * 5],
        [20_000, 4096 * 8 + 1],
        [20_002, 4096 * 2],
      ],
      stale: [20_001, 20_003],
    });
    expect(rolledDays([nodeA])).toEqual(rolledDays([new Map(nodeA)]));
    expect(rolledDays([new Map(), new Map()])).toEqual({ rolled: [], stale: [] });
  });

  it('leaves raw every non-local row, the ragged ends and the stale days, as bounds on time', () => {
    const text = restOf(20_000, 20_030, [20_010, 20_012]).text;
    expect(text).toBe(
      'local = 0 OR time < toDateTime(1728000000) OR time >= toDateTime(1730592000)' +
        ' OR (time >= toDateTime(1728864000) AND time < toDateTime(1728950400))' +
        ' OR (time >= toDateTime(1729036800) AND time < toDateTime(1729123200))',
    );
  });

  it('bounds every scope by toDate(time) as well, and by the rest when given', () => {
    const text = scopeWhere({
      table: raw('t'),
      site: 'a',
      from: 20_000 * DAY + 5,
      to: 20_007 * DAY,
      rest: raw('local = 0'),
    }).text;
    expect(text).toContain("toDate(time) >= toDate('2024-10-04') AND toDate(time) <= toDate('2024-10-10')");
    expect(text).toContain('AND (local = 0)');
    // A range reaching past 2105 (Date's end) keeps a valid day bound.
    expect(scopeWhere({ table: raw('t'), site: null, from: 0, to: 8.64e15 }).text).toContain(
      "toDate('2105-12-31')",
    );
  });
});

describe('ClickHouse rollups: figures of two parts add up', () => {
  const part = (visitors: number, sessions: number, key: string): Figures => ({
    records: [
      {
        d: [key],
        visitors,
        users: 0,
        pageviews: 2 * visitors,
        actions: 1,
        shares: 0,
        recipients: 0,
        engaged: 10,
        first_ts: 0,
        last_ts: 0,
        props: [1.5],
      },
    ],
    sessions: [{ d: [key], sessions, duration: 100, with_pv: sessions, bounced: 1 }],
    scroll: [{ d: [key], scroll_sum: 50, pairs: 1 }],
    wide: [{ d: [key], pk: 'k', total: 2 }],
    totalVisitors: 0,
  });

  it('adds groups present in both and keeps groups of one part', () => {
    const sum = addFigures(part(3, 4, '/a'), {
      ...part(2, 1, '/a'),
      records: [...part(2, 1, '/a').records, ...part(7, 7, '/b').records],
    });
    const a = sum.records.find((r) => r.d[0] === '/a')!;
    expect([a.visitors, a.pageviews, a.actions, a.engaged, a.props]).toEqual([5, 10, 2, 20, [3]]);
    expect(sum.records.find((r) => r.d[0] === '/b')?.visitors).toBe(7);
    expect(sum.sessions).toEqual([{ d: ['/a'], sessions: 5, duration: 200, with_pv: 5, bounced: 2 }]);
    expect(sum.scroll).toEqual([{ d: ['/a'], scroll_sum: 100, pairs: 2 }]);
    expect(sum.wide).toEqual([{ d: ['/a'], pk: 'k', total: 4 }]);
  });

  it('stores each kind of figure as its own part', () => {
    expect(rowsOfFigures(part(1, 1, '/a')).map((r) => r.part)).toEqual(['r', 's', 'c', 'w']);
  });
});

describe('ClickHouse rollups: the questions rolled up', () => {
  it("are overall's unfiltered questions, and change with the cards", async () => {
    const plan = await rollupPlan(DEFAULT_CARDS);
    const head = shapeKey({
      metrics: [
        'visitors',
        'sessions',
        'pageviews',
        'views_per_session',
        'bounce_rate',
        'session_duration',
        'time_on_page',
      ],
      dimensions: [],
      filters: [],
    });
    expect(plan.queries.has(head)).toBe(true);
    expect([...plan.queries.values()].some((q) => q.dimensions.includes('time:day'))).toBe(true);
    expect(plan.topLists.size).toBe(1);
    expect(plan.propKeys).toBe(true);
    expect((await rollupPlan(DEFAULT_CARDS)).config).toBe(plan.config);
    expect((await rollupPlan([])).config).not.toBe(plan.config);
  });
});
