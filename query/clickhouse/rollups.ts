import type { Dimension, NormalizedQuery } from '../../shared/api.ts';
import type { RecordKind } from '../../shared/record.ts';
import type { QueryRows } from '../backend.ts';
import type { ClickHouseConnection } from './connection.ts';
import { figures, finish, propKeysOf, SUMIF_KEYS, type Figures } from './aggregate.ts';
import { numericPropKeys } from './events.ts';
import { rolledWhere, rollupsTable, splitRange, type DaySplit } from './rollup-days.ts';
import { PROP_SUMS_SHAPE, propSumNames, shapeKey, topListsKey, type RollupPlan } from './rollup-shapes.ts';
import type { SessionTables } from './session-tables.ts';
import { labelTopLists, topListFigures, type TopListFigure } from './top-lists.ts';
import { sql, type SqlFragment } from './sql.ts';
import { rows } from './run.ts';

/**
 * `overall`'s questions over long ranges from per-(site, UTC day) rollups, exactly (the
 * decomposition of query/memory/rollup.ts): the local rows of whole days with a current build
 * come from rollup_day, summed; every other row of the range (non-local rows, the ragged ends,
 * stale days) goes through the ordinary SQL with RangeScope.rest, in parallel. Day-local visitors
 * and their sessions never cross a day, so distinct visitors, sessions, bounces, durations and
 * scroll maxima of the two parts add up. Each answer is null when the question is not rolled up
 * or the range holds no rolled day: the caller then asks the ordinary SQL.
 */
export class Rollups {
  private readonly splits = new Map<string, { at: number; split: Promise<DaySplit | null> }>();
  private readonly pending = new Map<string, PendingRead>();

  constructor(
    private readonly conn: ClickHouseConnection,
    private readonly table: SqlFragment,
    private readonly sessions: SessionTables,
    private readonly plan: Promise<RollupPlan>,
    private readonly splitTtlMs = 1000,
  ) {}

  async aggregate(q: NormalizedQuery): Promise<QueryRows | null> {
    const plan = await this.plan;
    const names = plan.propKeys ? propSumNames(q) : null;
    if (names) return this.propSums(q, names);
    const shape = shapeKey(q);
    if (!plan.queries.has(shape)) return null;
    const split = await this.split(plan.config, q.from, q.to);
    if (!split) return null;
    const [raw, rolled] = await Promise.all([
      figures(this.conn, this.table, this.sessions, q, split.rest),
      this.rolledFigures(split, q.site, shape),
    ]);
    return finish(q, addFigures(raw, rolled));
  }

  async topLists(base: NormalizedQuery, dims: readonly Dimension[]): Promise<QueryRows[] | null> {
    const plan = await this.plan;
    const shape = topListsKey(dims);
    if (base.filters.length > 0 || !plan.topLists.has(shape)) return null;
    const split = await this.split(plan.config, base.from, base.to);
    if (!split) return null;
    const [raw, rolled] = await Promise.all([
      topListFigures(this.conn, this.table, this.sessions, base, dims, split.rest),
      rows<TopListFigure>(
        this.conn,
        sql`SELECT pk AS k, sum(visitors) AS visitors, sum(pageviews) AS pageviews FROM ${rollupsTable(this.conn)}
          WHERE ${rolledWhere(split, base.site, shape)} AND part = 't' GROUP BY pk`,
      ),
    ]);
    const byKey = new Map<string, TopListFigure>();
    for (const r of [...raw, ...rolled]) {
      const hit = byKey.get(r.k);
      if (hit) {
        hit.visitors = Number(hit.visitors) + Number(r.visitors);
        hit.pageviews = Number(hit.pageviews) + Number(r.pageviews);
      } else byKey.set(r.k, { ...r });
    }
    return labelTopLists(dims, [...byKey.values()]);
  }

  async propKeys(q: {
    site: string | null;
    from: number;
    to: number;
    kind: RecordKind;
    names?: readonly string[];
  }): Promise<Record<string, string[]> | null> {
    const plan = await this.plan;
    if (!plan.propKeys || q.kind !== 'action' || q.names?.length === 0) return null;
    const split = await this.split(plan.config, q.from, q.to);
    if (!split) return null;
    const names = q.names ? sql`AND has(${[...q.names]}, d[1])` : sql``;
    const [raw, rolled] = await Promise.all([
      numericPropKeys(this.conn, this.table, q, split.rest),
      rows<{ name: string; keys: string[] }>(
        this.conn,
        sql`SELECT d[1] AS name, groupUniqArray(pk) AS keys FROM ${rollupsTable(this.conn)}
          WHERE ${rolledWhere(split, q.site, PROP_SUMS_SHAPE)} AND part = 'w' ${names} GROUP BY name`,
      ),
    ]);
    const union = new Map<string, Set<string>>();
    for (const [name, keys] of [...Object.entries(raw), ...rolled.map((r) => [r.name, r.keys] as const)]) {
      const set = union.get(name) ?? union.set(name, new Set()).get(name)!;
      for (const k of keys) set.add(k);
    }
    return Object.fromEntries([...union].map(([name, keys]) => [name, [...keys].sort()]));
  }

  /**
   * Sums of numeric props per action name (PROP_SUMS_SHAPE): whichever names and keys the query
   * names, the rolled days' sums are added to those of the rows read raw.
   */
  private async propSums(q: NormalizedQuery, names: readonly string[]): Promise<QueryRows | null> {
    const split = await this.split((await this.plan).config, q.from, q.to);
    if (!split) return null;
    const keys = propKeysOf(q);
    const [raw, rolled] = await Promise.all([
      figures(this.conn, this.table, this.sessions, q, split.rest),
      rows<{ part: string; name: string; pk: string; total: number }>(
        this.conn,
        sql`SELECT part, d[1] AS name, pk, sum(total) AS total FROM ${rollupsTable(this.conn)}
          WHERE ${rolledWhere(split, q.site, PROP_SUMS_SHAPE)} AND has(${[...names]}, d[1])
            AND (part = 'n' OR has(${keys}, pk))
          GROUP BY part, name, pk`,
      ),
    ]);
    // As figures() returns them: up to SUMIF_KEYS sums in each record row's props, more as wide rows.
    const manyKeys = keys.length > SUMIF_KEYS;
    const sums = new Map<string, Map<string, number>>();
    for (const r of rolled)
      if (r.part === 'w')
        (sums.get(r.name) ?? sums.set(r.name, new Map()).get(r.name)!).set(r.pk, Number(r.total));
    const f: Figures = { records: [], sessions: [], scroll: [], wide: [], totalVisitors: 0 };
    for (const r of rolled) {
      if (r.part !== 'n') continue;
      const own = sums.get(r.name) ?? new Map<string, number>();
      f.records.push({
        ...ZERO_RECORD,
        d: [r.name],
        props: manyKeys ? [] : keys.map((k) => own.get(k) ?? 0),
      });
      if (manyKeys) for (const [pk, total] of own) f.wide.push({ d: [r.name], pk, total });
    }
    return finish(q, addFigures(raw, f));
  }

  /** Forgets the cached splits, so the next question sees a build or a change at once. */
  invalidate(): void {
    this.splits.clear();
  }

  /**
   * The split of a range, shared by the dozen questions of one `overall` (they ask within
   * milliseconds of each other) and kept for `splitTtlMs`.
   */
  private split(config: string, from: number, to: number): Promise<DaySplit | null> {
    const key = `${config}|${from}|${to}`;
    const now = Date.now();
    const hit = this.splits.get(key);
    if (hit && now - hit.at < this.splitTtlMs) return hit.split;
    for (const [k, v] of this.splits) if (now - v.at >= this.splitTtlMs) this.splits.delete(k);
    const split = splitRange(this.conn, config, from, to);
    this.splits.set(key, { at: now, split });
    split.catch(() => this.splits.delete(key));
    return split;
  }

  /**
   * The rolled-up figures of one shape. The questions of one `overall` arrive in the same turn of
   * the event loop, so their reads are gathered into one statement per (split, site): a dozen
   * small statements cost more than one on a busy 2-core server (each waits its turn).
   */
  private rolledFigures(split: DaySplit, site: string | null, shape: string): Promise<Figures> {
    const key = `${split.firstDay}|${split.endDay}|${site}`;
    let batch = this.pending.get(key);
    if (!batch) {
      const fresh: PendingRead = { split, site, shapes: new Map() };
      this.pending.set(key, fresh);
      batch = fresh;
      setImmediate(() => {
        this.pending.delete(key);
        void this.readBatch(fresh);
      });
    }
    let wait = batch.shapes.get(shape);
    if (!wait) {
      let resolve!: (f: Figures) => void;
      let reject!: (e: unknown) => void;
      const promise = new Promise<Figures>((res, rej) => ((resolve = res), (reject = rej)));
      wait = { promise, resolve, reject };
      batch.shapes.set(shape, wait);
    }
    return wait.promise;
  }

  private async readBatch(batch: PendingRead): Promise<void> {
    try {
      const shapes = [...batch.shapes.keys()];
      // Packed: the shape as its place in the list and the sums as one array, since a long page
      // list is tens of thousands of rows (90k over 90 days of 10M events) and each named field
      // and repeated shape string was JSON to write and parse: 34 MB against 8.7 MB.
      const found = await rows<PackedRow>(
        this.conn,
        sql`SELECT indexOf(${shapes}, shape) AS s, part, d, pk,
          [sum(visitors), sum(pageviews), sum(actions), sum(shares), sum(recipients), sum(engaged),
            sum(sessions), sum(with_pv), sum(bounced), sum(scroll_sum), sum(pairs)] AS f,
          sum(total) AS t, sum(duration) AS u, sumForEach(props) AS p
        FROM ${rollupsTable(this.conn)} WHERE ${rolledWhere(batch.split, batch.site, shapes)} GROUP BY shape, part, d, pk`,
      );
      const byShape: PackedRow[][] = shapes.map(() => []);
      for (const r of found) byShape[Number(r.s) - 1]?.push(r);
      shapes.forEach((shape, i) => batch.shapes.get(shape)!.resolve(figuresOfRows(byShape[i]!)));
    } catch (error) {
      for (const wait of batch.shapes.values()) wait.reject(error);
    }
  }
}

/**
 * A rollup_day group as readBatch reads it: `s` the shape's place (from 1) in the batch, `f` the
 * sums [visitors, pageviews, actions, shares, recipients, engaged, sessions, with_pv, bounced,
 * scroll_sum, pairs], `t` total, `u` duration, `p` props.
 */
interface PackedRow {
  s: number;
  part: string;
  d: string[];
  pk: string;
  f: number[];
  t: number;
  u: number;
  p: number[];
}

interface PendingRead {
  split: DaySplit;
  site: string | null;
  shapes: Map<string, { promise: Promise<Figures>; resolve(f: Figures): void; reject(e: unknown): void }>;
}

/** A rollup_day row as the builder stores it. */
export interface RollupRow {
  part: string;
  d: string[];
  pk: string;
  visitors: number;
  pageviews: number;
  actions: number;
  shares: number;
  recipients: number;
  engaged: number;
  props: number[];
  total: number;
  sessions: number;
  duration: number;
  with_pv: number;
  bounced: number;
  scroll_sum: number;
  pairs: number;
}

const ZERO: Readonly<Omit<RollupRow, 'part' | 'd' | 'pk' | 'props'>> = {
  visitors: 0,
  pageviews: 0,
  actions: 0,
  shares: 0,
  recipients: 0,
  engaged: 0,
  total: 0,
  sessions: 0,
  duration: 0,
  with_pv: 0,
  bounced: 0,
  scroll_sum: 0,
  pairs: 0,
};

/** A rollup row of `part` whose figures are all zero, for the caller to fill in. */
export function zeroRow(part: string, d: string[], pk: string): RollupRow {
  return { ...ZERO, props: [], part, d, pk };
}

const ZERO_RECORD: Omit<Figures['records'][number], 'd' | 'props'> = {
  visitors: 0,
  users: 0,
  pageviews: 0,
  actions: 0,
  shares: 0,
  recipients: 0,
  engaged: 0,
  first_ts: 0,
  last_ts: 0,
};

/** Figures as rollup rows: 'r' records, 's' sessions, 'c' scroll depth, 'w' prop sums by key. */
export function rowsOfFigures(f: Figures): RollupRow[] {
  const out: RollupRow[] = [];
  for (const r of f.records)
    out.push({
      ...zeroRow('r', r.d, ''),
      visitors: r.visitors,
      pageviews: r.pageviews,
      actions: r.actions,
      shares: r.shares,
      recipients: r.recipients,
      engaged: r.engaged,
      props: r.props.map(Number),
    });
  for (const s of f.sessions)
    out.push({
      ...zeroRow('s', s.d, ''),
      sessions: s.sessions,
      duration: s.duration,
      with_pv: s.with_pv,
      bounced: s.bounced,
    });
  for (const c of f.scroll) out.push({ ...zeroRow('c', c.d, ''), scroll_sum: c.scroll_sum, pairs: c.pairs });
  for (const w of f.wide) out.push({ ...zeroRow('w', w.d, w.pk), total: w.total });
  return out;
}

function figuresOfRows(found: readonly PackedRow[]): Figures {
  const f: Figures = { records: [], sessions: [], scroll: [], wide: [], totalVisitors: 0 };
  const n = Number;
  for (const r of found) {
    const [
      visitors,
      pageviews,
      actions,
      shares,
      recipients,
      engaged,
      sessions,
      withPv,
      bounced,
      scroll,
      pairs,
    ] = r.f.map(n) as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    if (r.part === 'r')
      f.records.push({
        d: r.d,
        visitors,
        users: 0,
        pageviews,
        actions,
        shares,
        recipients,
        engaged,
        first_ts: 0,
        last_ts: 0,
        props: r.p.map(n),
      });
    else if (r.part === 's')
      f.sessions.push({ d: r.d, sessions, duration: n(r.u), with_pv: withPv, bounced });
    else if (r.part === 'c') f.scroll.push({ d: r.d, scroll_sum: scroll, pairs });
    else if (r.part === 'w') f.wide.push({ d: r.d, pk: r.pk, total: n(r.t) });
  }
  return f;
}

/** The figures of two parts of a range that share no visitor and no session, added by group. */
export function addFigures(a: Figures, b: Figures): Figures {
  const group = <T extends { d: string[] }>(
    xs: T[],
    ys: T[],
    add: (x: T, y: T) => T,
    extra = (_: T) => '',
  ) => {
    const by = new Map<string, T>();
    for (const x of [...xs, ...ys]) {
      const key = JSON.stringify(x.d) + '\u0000' + extra(x);
      const hit = by.get(key);
      by.set(key, hit ? add(hit, x) : x);
    }
    return [...by.values()];
  };
  const n = Number;
  return {
    records: group(a.records, b.records, (x, y) => ({
      d: x.d,
      visitors: n(x.visitors) + n(y.visitors),
      users: n(x.users) + n(y.users),
      pageviews: n(x.pageviews) + n(y.pageviews),
      actions: n(x.actions) + n(y.actions),
      shares: n(x.shares) + n(y.shares),
      recipients: n(x.recipients) + n(y.recipients),
      engaged: n(x.engaged) + n(y.engaged),
      first_ts: 0,
      last_ts: 0,
      props: x.props.map((v, i) => n(v) + n(y.props[i] ?? 0)),
    })),
    sessions: group(a.sessions, b.sessions, (x, y) => ({
      d: x.d,
      sessions: n(x.sessions) + n(y.sessions),
      duration: n(x.duration) + n(y.duration),
      with_pv: n(x.with_pv) + n(y.with_pv),
      bounced: n(x.bounced) + n(y.bounced),
    })),
    scroll: group(a.scroll, b.scroll, (x, y) => ({
      d: x.d,
      scroll_sum: n(x.scroll_sum) + n(y.scroll_sum),
      pairs: n(x.pairs) + n(y.pairs),
    })),
    wide: group(
      a.wide,
      b.wide,
      (x, y) => ({ d: x.d, pk: x.pk, total: n(x.total) + n(y.total) }),
      (x) => x.pk,
    ),
    totalVisitors: a.totalVisitors + b.totalVisitors,
  };
}
