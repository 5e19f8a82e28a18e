import { describe, expect, it } from 'vitest';
import { DEFAULT_CARDS } from '../../../../query/cards-config.ts';
import type { Figures } from '../../../../query/clickhouse/aggregate.ts';
import { currentBuild, restOf, rolledDays, type BuildRow } from '../../../../query/clickhouse/rollup-days.ts';
import { propSumNames, rollupPlan, shapeKey } from '../../../../query/clickhouse/rollup-shapes.ts';
import { actionSummaries } from '../../../../query/compose/overall.ts';
import type { QueryBackend } from '../../../../query/backend.ts';
import type { NormalizedQuery } from '../../../../shared/api.ts';
import { addFigures, rowsOfFigures } from '../../../../query/clickhouse/rollups.ts';
import { cover, currentBlock, memberPairs, membersOf } from '../../../../query/clickhouse/rollup-blocks.ts';
import { scopeWhere } from '../../../../query/clickhouse/prepared.ts';
import { raw } from '../../../../query/clickhouse/sql.ts';
import {
  doomedBlocks,
  doomedBuilds,
  OTHER_CONFIG_GRACE_S,
  type ConfigBlockRow,
  type ConfigBuildRow,
} from '../../../../query/clickhouse/rollup-build.ts';

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

describe('ClickHouse rollups: action prop sums', () => {
  const base: NormalizedQuery = {
    site: null,
    from: 0,
    to: 7 * DAY,
    metrics: [],
    dimensions: [],
    filters: [],
    order_by: [],
    limit: 10,
    offset: 0,
  };

  it("recognise the sums question of overall's action summaries, whatever its names and keys", async () => {
    const asked: NormalizedQuery[] = [];
    const backend = {
      async query(q: NormalizedQuery) {
        asked.push(q);
        if (q.metrics[0] === 'actions')
          return ['photo_processed', 'search_performed', 'no_props'].map((name, i) => ({
            dimensions: [name],
            metrics: [10 - i, 1],
          }));
        return [];
      },
      async numericPropKeys() {
        return {
          photo_processed: ['processed_count', 'threshold_used'],
          search_performed: ['matches_found'],
        };
      },
    } as unknown as QueryBackend;
    await actionSummaries(backend, base);
    const sums = asked.find((q) => q.metrics.some((m) => m.startsWith('prop_sum:')))!;
    expect(propSumNames(sums)).toEqual(['photo_processed', 'search_performed']);
    // The counting question and any other shape stay with the ordinary plan.
    expect(propSumNames(asked[0]!)).toBeNull();
    expect(propSumNames({ ...sums, filters: [...sums.filters, ['is', 'country', ['DE']]] })).toBeNull();
    expect(propSumNames({ ...sums, dimensions: ['page'] })).toBeNull();
    expect(propSumNames({ ...sums, metrics: [...sums.metrics, 'visitors'] })).toBeNull();
    expect(
      propSumNames({ ...sums, filters: [['is', 'event:kind', ['share']], sums.filters[1]!] }),
    ).toBeNull();
  });
});

describe('ClickHouse rollups: multi-day blocks', () => {
  const b = (day: number, build: number): BuildRow => ({ day, build, fp_rows: 1, fp_block: 1, built_at: 1 });
  /** Days 64..191 with rows and a current build (build = day + 1000), day 100 without rows. */
  const node = new Map<number, BuildRow | null>();
  for (let day = 64; day < 192; day++) if (day !== 100) node.set(day, b(day, day + 1000));
  const block = (
    start: number,
    span: number,
    current: ReadonlyMap<number, BuildRow | null>,
    build = start,
  ) => ({
    start,
    span,
    build,
    members: membersOf(current, start, span)!,
    built_at: 1,
  });
  const rolledOf = (current: ReadonlyMap<number, BuildRow | null>) => rolledDays([current]).rolled;

  it('name the day builds they add up, and only while each day of them has one', () => {
    expect(membersOf(node, 98, 4)).toBe('98:1098,99:1099,101:1101');
    expect(memberPairs('98:1098,99:1099')).toEqual([
      [98, 1098],
      [99, 1099],
    ]);
    expect(membersOf(node, 0, 64)).toBe('');
    const stale = new Map(node).set(99, null);
    expect(membersOf(stale, 96, 8)).toBeNull();
  });

  it('cover a range with the longest aligned blocks that are current, else days', () => {
    const blocks = [block(64, 64, node), block(128, 32, node), block(160, 16, node), block(176, 8, node)];
    // [70, 180): days 70..127 have no 64-block that fits, so days and smaller blocks would be
    // needed; only the blocks made are read, the other days one by one.
    const c = cover(70, 180, [node], [blocks], rolledOf(node));
    expect(c.blocks).toBe(2);
    expect(c.pairs).toContainEqual([128, 128]);
    expect(c.pairs).toContainEqual([160, 160]);
    expect(c.pairs).toContainEqual([70, 1070]);
    expect(c.pairs.some(([day]) => day >= 176)).toBe(true);
    expect(c.days).toHaveLength(180 - 70 - 1);
    // The whole 64-day block when the range holds it.
    const whole = cover(64, 192, [node], [blocks], rolledOf(node));
    expect(whole.pairs).toEqual([
      [64, 64],
      [128, 128],
      [160, 160],
      [176, 176],
      ...Array.from({ length: 8 }, (_, i) => [184 + i, 1184 + i]),
    ]);
    expect(whole.days).toHaveLength(127);
  });

  it('are not read once one of their days was built again, or has no current build', () => {
    const blocks = [block(64, 64, node), block(128, 64, node)];
    const rebuilt = new Map(node).set(130, b(130, 9999));
    const c = cover(64, 192, [rebuilt], [blocks], rolledOf(rebuilt));
    expect(c.pairs).toContainEqual([64, 64]);
    expect(c.pairs).not.toContainEqual([128, 128]);
    expect(c.pairs).toContainEqual([130, 9999]);
    const stale = new Map(node).set(70, null);
    const s = cover(64, 192, [stale], [blocks], rolledOf(stale));
    expect(s.pairs).not.toContainEqual([64, 64]);
    expect(s.days).not.toContain(70);
    expect(s.days).toContain(71);
  });

  it('on a cluster, are read only when every node holding rows has its own current block', () => {
    const other = new Map<number, BuildRow | null>([[65, b(65, 5065)]]);
    const mine = [block(64, 64, node)];
    expect(cover(64, 128, [node, other], [mine, []], rolledOf(node)).blocks).toBe(0);
    const theirs = [block(64, 64, other, 7)];
    const both = cover(64, 128, [node, other], [mine, theirs], rolledDays([node, other]).rolled);
    expect(both.pairs).toEqual([
      [64, 64],
      [64, 7],
    ]);
    // A node without rows in the block needs no block there.
    expect(cover(128, 192, [node, other], [[block(128, 64, node)], []], []).pairs).toEqual([[128, 128]]);
  });

  it('pick the newest of two blocks made from the same day builds', () => {
    const one = { ...block(64, 2, node), build: 1, built_at: 5 };
    const two = { ...block(64, 2, node), build: 2, built_at: 9 };
    expect(currentBlock([one, two], 64, 2, one.members)).toBe(two);
    expect(currentBlock([one, two], 64, 4, one.members)).toBeNull();
  });
});

describe('ClickHouse rollups: which builds the builder deletes', () => {
  const NOW_S = 1_800_000_000;
  const fps = new Map([
    [10, { rows: 100, block: 7 }],
    [11, { rows: 50, block: 9 }],
  ]);
  const build = (
    config: string,
    day: number,
    id: number,
    age: number,
    fp = fps.get(day)!,
  ): ConfigBuildRow => ({
    config,
    day,
    build: id,
    fp_rows: fp.rows,
    fp_block: fp.block,
    built_at: NOW_S - age,
  });
  const block = (config: string, id: number, members: string, age: number): ConfigBlockRow => ({
    config,
    start: 10,
    span: 2,
    build: id,
    members,
    built_at: NOW_S - age,
  });

  it("keeps another config's current builds and blocks for an hour, so two versions side by side do not rebuild each other's", () => {
    const all = [
      build('new', 10, 1, 60),
      build('new', 11, 2, 60),
      build('old', 10, 3, 60),
      build('old', 11, 4, 60),
    ];
    expect(doomedBuilds(all, 'new', fps, NOW_S)).toEqual([]);
    expect(doomedBuilds(all, 'old', fps, NOW_S)).toEqual([]);
    const blocks = [block('new', 5, '10:1,11:2', 60), block('old', 6, '10:3,11:4', 60)];
    expect(doomedBlocks(blocks, 'new', all, fps, NOW_S)).toEqual([]);
    const later = NOW_S + OTHER_CONFIG_GRACE_S;
    expect(doomedBuilds(all, 'new', fps, later).sort()).toEqual([3, 4]);
    const kept = all.filter((b) => b.config === 'new');
    expect(doomedBlocks(blocks, 'new', kept, fps, later)).toEqual([6]);
  });

  it("deletes at once any config's build of a day that changed since (an erased user's paths), and its blocks", () => {
    const erased = { rows: 99, block: 8 };
    const all = [build('new', 10, 1, 60, erased), build('old', 10, 3, 60, erased), build('old', 11, 4, 60)];
    expect(doomedBuilds(all, 'new', fps, NOW_S).sort()).toEqual([1, 3]);
    const kept = all.filter((b) => b.build === 4);
    const blocks = [block('new', 5, '10:1,11:2', 0), block('old', 6, '10:3,11:4', 0)];
    expect(doomedBlocks(blocks, 'new', kept, fps, NOW_S).sort()).toEqual([5, 6]);
  });

  it('deletes builds of its own config superseded more than 5 minutes ago, keeps the current one', () => {
    const recent = [build('new', 10, 1, 900), build('new', 10, 2, 400), build('new', 10, 3, 200)];
    expect(doomedBuilds(recent, 'new', fps, NOW_S)).toEqual([]);
    const settled = [build('new', 10, 1, 900), build('new', 10, 2, 400), build('new', 10, 3, 301)];
    expect(doomedBuilds(settled, 'new', fps, NOW_S).sort()).toEqual([1, 2]);
  });
});
