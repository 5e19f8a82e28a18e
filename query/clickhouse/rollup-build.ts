import { randomInt } from 'node:crypto';
import { DAY_MS } from '../../shared/time.ts';
import type { NormalizedQuery } from '../../shared/api.ts';
import type { ClickHouseConnection } from './connection.ts';
import { figures } from './aggregate.ts';
import { exec } from './migrate.ts';
import { dayOf, scopeWhere } from './prepared.ts';
import {
  buildsTable,
  currentBuild,
  currentBuilds,
  fingerprints,
  rollupsTable,
  type BuildRow,
  type Fingerprint,
} from './rollup-days.ts';
import {
  blockBuilds,
  blocksTable,
  currentBlock,
  MAX_BLOCK_LEVEL,
  memberPairs,
  membersOf,
  type BlockRow,
  type CurrentBuilds,
} from './rollup-blocks.ts';
import { PROP_SUMS_SHAPE, type RollupPlan } from './rollup-shapes.ts';
import { rowsOfFigures, zeroRow, type RollupRow } from './rollups.ts';
import { SessionTables } from './session-tables.ts';
import { topListFigures } from './top-lists.ts';
import { ident, raw, sql, type SqlFragment } from './sql.ts';
import { TABLES } from './ddl.ts';
import { rows } from './run.ts';

/** Superseded builds are deleted only this long after their successor, so no reader still uses them. */
const SUPERSEDED_GRACE_S = 300;

/**
 * The builds of another config are kept this long after they were made: during an upgrade, or
 * while collectors disagree on the cards, the collectors of each config read their own builds.
 * Deleting them at once made two versions side by side rebuild each other's days without end
 * (seen measuring one version against the next on one server).
 */
export const OTHER_CONFIG_GRACE_S = 3600;

const LOCAL = raw('local = 1');

/** Statements a build keeps in flight. */
const BUILD_CONCURRENCY = 4;

/**
 * Builds the rollups of every closed UTC day whose local rows have no current build (rollup-days.ts),
 * newest day first. Idempotent, so every collector may run it at once: each build gets its own
 * id and is recorded only if the day's fingerprint did not change while it ran; readers take the
 * newest current build, and superseded or stale builds are deleted later (their rows may hold
 * the paths of an erased user's visits).
 *
 * Cost, 1M events over 89 days on 2 busy cores: one day (3 sites, about 11k rows) in about a
 * second, so a first backfill takes about 1.5 min in the background; afterwards one day a day,
 * plus the days a late insert, replay, import, erasure or purge touched.
 *
 * Cluster: ClusterRollupBuilder runs one per node, with the node's connection and its local
 * tables, so each node rolls up its own partitions; sharded by unit, a day-local visitor lives on
 * one node, so per-node figures add up through the Distributed tables (see `shard`).
 */
export class RollupBuilder {
  private running: Promise<number> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly conn: ClickHouseConnection,
    private readonly table: SqlFragment,
    private readonly plan: Promise<RollupPlan>,
    private readonly clock: () => number,
    /** called after each day built, so readers drop cached splits */
    private readonly onBuilt: () => void = () => {},
    /** set when building one node of a cluster (`conn` and `table` are then the node's own) */
    private readonly shard: ShardOf | null = null,
  ) {}

  /** Runs a pass every `intervalMs` (and one now). */
  start(intervalMs = 60_000): void {
    this.stopped = false;
    this.kick();
    this.timer ??= setInterval(() => this.kick(), intervalMs);
    this.timer.unref();
  }

  /** Stops the timer; a pass in flight ends after its current day (its connection may be closing). */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Starts a pass soon (after erasure, purge, replay, import…); one more if one is running. */
  kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    void this.run().catch((error: Error) => {
      if (!this.stopped) console.error(`rollups: build failed: ${error.message}`);
    });
  }

  /** One pass; resolves with the number of days built. */
  run(): Promise<number> {
    this.running ??= this.pass().finally(() => {
      this.running = null;
      if (this.again && !this.stopped) {
        this.again = false;
        this.kick();
      }
    });
    return this.running;
  }

  /** Resolves once no pass is running or asked for. */
  async settle(): Promise<void> {
    while (this.running) await this.running.catch(() => undefined);
  }

  /** Days with local rows whose build is missing or stale, newest first. */
  async pending(): Promise<number[]> {
    const { config } = await this.plan;
    const current = await currentBuilds(this.conn, config, 0, Math.floor(this.clock() / DAY_MS));
    return [...current]
      .filter(([, b]) => !b)
      .map(([day]) => day)
      .sort((a, b) => b - a);
  }

  private async pass(): Promise<number> {
    const plan = await this.plan;
    let built = 0;
    for (const day of await this.pending()) {
      if (this.stopped) return built;
      if (await this.buildDay(plan, day)) {
        built++;
        this.onBuilt();
      }
    }
    if (this.stopped) return built;
    if ((await this.buildBlocks(plan.config)) > 0) this.onBuilt();
    await this.collect(plan.config);
    return built;
  }

  /**
   * Makes every aligned block of closed days (rollup-blocks.ts) whose days all have a current
   * build and that has no block made from exactly those builds; resolves with how many it made.
   * One INSERT … SELECT each over rollup_day, so a block costs a few tens of milliseconds.
   */
  private async buildBlocks(config: string): Promise<number> {
    const today = Math.floor(this.clock() / DAY_MS);
    const current = await currentBuilds(this.conn, config, 0, today);
    const made = await blockBuilds(this.conn, config, 0, today);
    let count = 0;
    for (let level = 1; level <= MAX_BLOCK_LEVEL; level++) {
      const span = 2 ** level;
      const starts = new Set([...current.keys()].map((day) => day - (day % span)));
      for (const start of [...starts].sort((a, b) => b - a)) {
        if (this.stopped) return count;
        if (start + span > today) continue;
        const members = membersOf(current, start, span);
        if (!members || currentBlock(made, start, span, members)) continue;
        await this.buildBlock(config, start, span, members);
        count++;
      }
    }
    return count;
  }

  private async buildBlock(config: string, start: number, span: number, members: string): Promise<void> {
    const build = this.newBuildId();
    const pairs = memberPairs(members)
      .map(([day, b]) => `(${day}, ${b})`)
      .join(', ');
    const table = rollupsTable(this.conn);
    await exec(
      this.conn,
      sql`INSERT INTO ${table} (site, day, build, shape, part, d, pk, visitors, pageviews, actions, shares,
          recipients, engaged, matched, props, total, sessions, duration, with_pv, bounced, scroll_sum, pairs)
        SELECT site, toDate(${dayOf(start * 86_400)}), ${build}, shape, part, d, pk, sum(visitors), sum(pageviews),
          sum(actions), sum(shares), sum(recipients), sum(engaged), sum(matched), sumForEach(props), sum(total),
          sum(sessions), sum(duration), sum(with_pv), sum(bounced), sum(scroll_sum), sum(pairs)
        FROM ${table}
        WHERE day >= toDate(${dayOf(start * 86_400)}) AND day < toDate(${dayOf((start + span) * 86_400)})
          AND (toUInt32(day), build) IN (${raw(pairs)})
        GROUP BY site, shape, part, d, pk`,
    );
    // Recorded last, as a day build is: a reader never sees a block whose rows are not all there.
    await this.conn.client.insert({
      table: blocksTable(this.conn).text,
      values: [
        {
          start: dayOf(start * 86_400),
          span,
          build,
          config,
          members,
          built_at: Math.floor(this.clock() / 1000),
        },
      ],
      format: 'JSONEachRow',
      clickhouse_settings: this.conn.settings,
    });
  }

  /** A new build id; on a cluster the low bits name the node (see buildDay). */
  private newBuildId(): number {
    return this.shard ? randomInt(1, 2 ** 35) * MAX_NODES + this.shard.index : randomInt(1, 2 ** 47);
  }

  /** Builds one day; false when its data changed meanwhile (the next pass tries again). */
  private async buildDay(plan: RollupPlan, day: number): Promise<boolean> {
    const before = (await fingerprints(this.conn, day, day + 1)).get(day);
    if (!before) return false;
    if (this.shard && (await splitVisitors(this.shard, day))) return false;
    // On a cluster the low bits name the node: readers filter the Distributed rollup table by
    // every node's (day, build) at once, so no node's build may match another's.
    const build = this.newBuildId();
    const from = day * DAY_MS;
    const to = from + DAY_MS;
    const sites = await rows<{ site: string }>(
      this.conn,
      sql`SELECT DISTINCT site FROM ${this.table} WHERE toDate(time) = toDate(${dayOf(day * 86_400)}) AND local = 1`,
    );
    const sessions = new SessionTables(this.conn, this.table);
    const out: (RollupRow & { site: string; shape: string })[] = [];
    // Each site, and all sites together ('': a visitor seen on two sites counts once there).
    const tasks: (() => Promise<void>)[] = [];
    for (const site of [...sites.map((s) => s.site), null]) {
      const tag = (shape: string) => (r: RollupRow) => ({ ...r, site: site ?? '', shape });
      const base: NormalizedQuery = {
        site,
        from,
        to,
        metrics: [],
        dimensions: [],
        filters: [],
        order_by: [],
        limit: 0,
        offset: 0,
      };
      for (const [key, shape] of plan.queries)
        tasks.push(async () => {
          const f = await figures(this.conn, this.table, sessions, { ...base, ...shape }, LOCAL);
          out.push(...rowsOfFigures(f).map(tag(key)));
        });
      for (const [key, dims] of plan.topLists)
        tasks.push(async () => {
          for (const t of await topListFigures(this.conn, this.table, sessions, base, dims, LOCAL))
            out.push({
              ...zeroRow('t', [], t.k),
              visitors: Number(t.visitors),
              pageviews: Number(t.pageviews),
              site: site ?? '',
              shape: key,
            });
        });
      if (plan.propKeys)
        tasks.push(async () => {
          for (const r of await propSums(this.conn, this.table, site, from, to))
            out.push({
              ...zeroRow(r.part, [r.name], r.pk),
              total: Number(r.total),
              site: site ?? '',
              shape: PROP_SUMS_SHAPE,
            });
        });
    }
    try {
      // A few statements in flight: each is small, so the round trips, not the server, set the pace.
      await inParallel(tasks, BUILD_CONCURRENCY);
    } finally {
      await sessions.close();
    }
    const dayText = dayOf(day * 86_400);
    if (out.length > 0)
      await this.conn.client.insert({
        table: rollupsTable(this.conn).text,
        values: out.map((r) => ({ ...r, day: dayText, build })),
        format: 'JSONEachRow',
        clickhouse_settings: this.conn.settings,
      });
    const after = (await fingerprints(this.conn, day, day + 1)).get(day);
    if (!after || !same(before, after)) {
      await exec(this.conn, sql`ALTER TABLE ${rollupsTable(this.conn)} DELETE WHERE build = ${build}`);
      return false;
    }
    // Recorded last: a reader never sees a build whose rows are not all there.
    await this.conn.client.insert({
      table: buildsTable(this.conn).text,
      values: [
        {
          day: dayText,
          build,
          config: plan.config,
          fp_rows: before.rows,
          fp_block: before.block,
          built_at: Math.floor(this.clock() / 1000),
        },
      ],
      format: 'JSONEachRow',
      clickhouse_settings: this.conn.settings,
    });
    return true;
  }

  /** Deletes the day builds and blocks no reader will use again (`doomedBuilds`, `doomedBlocks`). */
  private async collect(config: string): Promise<void> {
    const now = Math.floor(this.clock() / 1000);
    const all = await rows<Omit<ConfigBuildRow, 'day'> & { dn: number }>(
      this.conn,
      sql`SELECT toUInt32(day) AS dn, build, config, fp_rows, fp_block, toUInt32(built_at) AS built_at FROM ${buildsTable(this.conn)}`,
    );
    if (all.length === 0) return;
    const fps = await fingerprints(this.conn, 0, Math.floor(this.clock() / DAY_MS) + 2);
    const builds = all.map((b): ConfigBuildRow => ({
      config: b.config,
      day: Number(b.dn),
      build: Number(b.build),
      fp_rows: Number(b.fp_rows),
      fp_block: Number(b.fp_block),
      built_at: Number(b.built_at),
    }));
    const doomed = doomedBuilds(builds, config, fps, now);
    const blocks = await rows<{
      sn: number;
      span: number;
      build: number;
      config: string;
      members: string;
      built_at: number;
    }>(
      this.conn,
      sql`SELECT toUInt32(start) AS sn, span, build, config, members, toUInt32(built_at) AS built_at FROM ${blocksTable(this.conn)}`,
    );
    const doomedSet = new Set(doomed);
    const doomedBlockIds = doomedBlocks(
      blocks.map((b) => ({
        config: b.config,
        start: Number(b.sn),
        span: Number(b.span),
        build: Number(b.build),
        members: b.members,
        built_at: Number(b.built_at),
      })),
      config,
      builds.filter((b) => !doomedSet.has(b.build)),
      fps,
      now,
    );
    if (doomed.length > 0) {
      await exec(this.conn, sql`ALTER TABLE ${rollupsTable(this.conn)} DELETE WHERE has(${doomed}, build)`);
      await exec(this.conn, sql`ALTER TABLE ${buildsTable(this.conn)} DELETE WHERE has(${doomed}, build)`);
    }
    if (doomedBlockIds.length > 0) {
      await exec(
        this.conn,
        sql`ALTER TABLE ${rollupsTable(this.conn)} DELETE WHERE has(${doomedBlockIds}, build)`,
      );
      await exec(
        this.conn,
        sql`ALTER TABLE ${blocksTable(this.conn)} DELETE WHERE has(${doomedBlockIds}, build)`,
      );
    }
  }
}

/** A recorded day build with the config it was made for. */
export interface ConfigBuildRow extends BuildRow {
  config: string;
}

/** A recorded block with the config it was made for. */
export interface ConfigBlockRow extends BlockRow {
  config: string;
}

/**
 * The day builds no reader will use again, `now` in epoch seconds: those whose day has changed
 * since (at once, whatever their config: a build's fingerprint never comes back, blocks only
 * grow, and its rows may hold the paths of an erased user's visits), those of `config` superseded
 * by a newer current build more than SUPERSEDED_GRACE_S ago, and those of another config made
 * more than OTHER_CONFIG_GRACE_S ago.
 */
export function doomedBuilds(
  all: readonly ConfigBuildRow[],
  config: string,
  fps: ReadonlyMap<number, Fingerprint>,
  now: number,
): number[] {
  const doomed: number[] = [];
  const stale = (b: BuildRow) => {
    const fp = fps.get(b.day);
    return !fp || b.fp_rows !== fp.rows || b.fp_block !== fp.block;
  };
  for (const b of all)
    if (b.config !== config && (stale(b) || now - b.built_at > OTHER_CONFIG_GRACE_S)) doomed.push(b.build);
  for (const [day, list] of groupByDay(all.filter((b) => b.config === config))) {
    const fp = fps.get(day);
    const best = fp ? currentBuild(fp, list) : null;
    for (const b of list) {
      if (b === best) continue;
      if (stale(b) || (best && now - best.built_at > SUPERSEDED_GRACE_S)) doomed.push(b.build);
    }
  }
  return doomed;
}

/**
 * The blocks no reader will use again, given the day builds that stay (`kept`, of every config):
 * those adding up a day build that is gone or was made from data that has changed since (at
 * once, as such day builds go), those of `config` superseded more than SUPERSEDED_GRACE_S ago,
 * and those of another config made more than OTHER_CONFIG_GRACE_S ago.
 */
export function doomedBlocks(
  all: readonly ConfigBlockRow[],
  config: string,
  kept: readonly ConfigBuildRow[],
  fps: ReadonlyMap<number, Fingerprint>,
  now: number,
): number[] {
  const byBuild = new Map(kept.map((b) => [b.build, b]));
  const mine = kept.filter((b) => b.config === config);
  const current: CurrentBuilds = new Map(
    [...groupByDay(mine)].map(([day, list]) => {
      const fp = fps.get(day);
      return [day, fp ? currentBuild(fp, list) : null];
    }),
  );
  const changed = (b: BlockRow) =>
    memberPairs(b.members).some(([day, build]) => {
      const made = byBuild.get(build);
      const fp = fps.get(day);
      return !made || !fp || made.fp_rows !== fp.rows || made.fp_block !== fp.block;
    });
  const myBlocks = all.filter((b) => b.config === config);
  const doomed: number[] = [];
  for (const b of all) {
    if (b.config !== config) {
      if (changed(b) || now - b.built_at > OTHER_CONFIG_GRACE_S) doomed.push(b.build);
      continue;
    }
    const members = membersOf(current, b.start, b.span);
    if (members !== null && currentBlock(myBlocks, b.start, b.span, members) === b) continue;
    if (changed(b) || now - b.built_at > SUPERSEDED_GRACE_S) doomed.push(b.build);
  }
  return doomed;
}

/** A cluster node a builder works on: its place among the nodes, and the cluster-wide events. */
export interface ShardOf {
  index: number;
  /** the main connection, whose `events` is the Distributed table over every node */
  cluster: ClickHouseConnection;
}

/** Build ids leave room for this many nodes in their low bits. */
const MAX_NODES = 4096;

/**
 * Whether a day-local visitor id of the day appears on two sites anywhere in the cluster. Sharded
 * by (site, visitor), it may then sit on two nodes, whose all-sites ('') figures would each count
 * it: such a day is not built and stays raw, which is exact. Collector ids hash the site in, so
 * only imported ids do this. Read between the fingerprints: a later insert on any node changes
 * that node's fingerprint, so its build of the day is made again, and checked again.
 */
async function splitVisitors(shard: ShardOf, day: number): Promise<boolean> {
  const events = sql`${ident(shard.cluster.database)}.${ident(TABLES.events)}`;
  const [row] = await rows<{ n: number }>(
    shard.cluster,
    sql`SELECT count() AS n FROM (SELECT visitor FROM ${events}
      WHERE time >= toDateTime(${day * 86_400}) AND time < toDateTime(${(day + 1) * 86_400}) AND local = 1
      GROUP BY visitor HAVING uniqExact(site) > 1)`,
  );
  return Number(row?.n ?? 0) > 0;
}

/**
 * The builders of a cluster's nodes behind one builder's methods: each node builds its own days,
 * all at once (each is its own server).
 */
export class ClusterRollupBuilder {
  constructor(private readonly builders: readonly RollupBuilder[]) {}

  start(intervalMs?: number): void {
    for (const b of this.builders) b.start(intervalMs);
  }

  stop(): void {
    for (const b of this.builders) b.stop();
  }

  kick(): void {
    for (const b of this.builders) b.kick();
  }

  async run(): Promise<number> {
    const built = await Promise.all(this.builders.map((b) => b.run()));
    return built.reduce((a, b) => a + b, 0);
  }

  async settle(): Promise<void> {
    await Promise.all(this.builders.map((b) => b.settle()));
  }

  /** Days some node has not built, newest first. */
  async pending(): Promise<number[]> {
    const days = (await Promise.all(this.builders.map((b) => b.pending()))).flat();
    return [...new Set(days)].sort((a, b) => b - a);
  }
}

/**
 * A day's PROP_SUMS_SHAPE rows: per action name its record count ('n') and the sum of each
 * numeric prop key ('w'), summed as aggregate.ts sums them (toFloat64OrZero of numeric values).
 */
function propSums(
  conn: ClickHouseConnection,
  table: SqlFragment,
  site: string | null,
  from: number,
  to: number,
): Promise<{ part: string; name: string; pk: string; total: number }[]> {
  const where = sql`${scopeWhere({ table, site, from, to, rest: LOCAL })} AND kind = 'action'`;
  return rows(
    conn,
    sql`SELECT 'n' AS part, toString(name) AS name, '' AS pk, toFloat64(count()) AS total
      FROM ${table} WHERE ${where} GROUP BY name
    UNION ALL
    SELECT 'w' AS part, toString(name) AS name, pk, sum(toFloat64OrZero(pval)) AS total
      FROM ${table} ARRAY JOIN prop_keys AS pk, prop_values AS pval, prop_numeric AS pnum
      WHERE ${where} AND pnum = 1 GROUP BY name, pk`,
  );
}

function same(a: Fingerprint, b: Fingerprint): boolean {
  return a.rows === b.rows && a.block === b.block;
}

function groupByDay(list: readonly BuildRow[]): Map<number, BuildRow[]> {
  const byDay = new Map<number, BuildRow[]>();
  for (const b of list) (byDay.get(b.day) ?? byDay.set(b.day, []).get(b.day)!).push(b);
  return byDay;
}

/** Runs the tasks, at most `n` at a time; rejects with the first failure once all have ended. */
async function inParallel(tasks: readonly (() => Promise<void>)[], n: number): Promise<void> {
  let next = 0;
  const errors: unknown[] = [];
  const worker = async () => {
    while (next < tasks.length) {
      const task = tasks[next++]!;
      await task().catch((error: unknown) => errors.push(error));
    }
  };
  await Promise.all(Array.from({ length: n }, worker));
  if (errors.length > 0) throw errors[0];
}
