import type { Dimension, NormalizedQuery } from '../../shared/api.ts';
import type { BackendStatus, QueryBackend, QueryRows } from '../backend.ts';
import type { StoredRecord } from '../../storage/schema.ts';
import type { EventStore } from '../../storage/types.ts';
import type { ClickHouseConnection } from './connection.ts';
import { TABLES } from './ddl.ts';
import { ident, sql, type SqlFragment } from './sql.ts';
import { aggregate } from './aggregate.ts';
import { events, numericPropKeys } from './events.ts';
import { funnel } from './funnel.ts';
import { journeys } from './journeys.ts';
import { newVsReturning } from './new-returning.ts';
import { retention } from './retention.ts';
import { rows } from './run.ts';
import { SessionTables } from './session-tables.ts';
import { topLists } from './top-lists.ts';
import type { MetricCardConfig } from '../../shared/api.ts';
import { ClusterRollupBuilder, RollupBuilder, type ShardOf } from './rollup-build.ts';
import { rollupPlan } from './rollup-shapes.ts';
import { SHARED_VISIT, sharedVisitsQuery } from '../compose/virality.ts';
import { entryAnswerable, sessionsByEntry } from './shared-visits.ts';
import { Rollups } from './rollups.ts';

export interface ClickHouseQueryOptions {
  /** the metric cards `overall` shows: their questions are rolled up too (rollup-shapes.ts) */
  cards?: readonly MetricCardConfig[];
  clock?: () => number;
  /** run the rollup builder in this process (every collector may); off: only read rollups */
  build?: boolean;
  /** how often the builder looks for closed days to build (default 60 s) */
  buildEveryMs?: number;
}

/** How long stopping waits for the range tables to be dropped: a dead server must not hold up a shutdown. */
const SESSION_DROP_WAIT_MS = 5000;

/**
 * The query backend on ClickHouse: every primitive is SQL run by the server, and only grouped
 * results (or the few events asked for) come back to Node. Nothing to load at start, so it is
 * ready at once; `rows` is refreshed by a cheap count every 30 s for /healthz.
 */
export class ClickHouseQueryBackend implements QueryBackend {
  private readonly table: SqlFragment;
  private readonly sessions: SessionTables;
  private rowCount = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly rollups: Rollups;
  /** builds the per-day rollups (rollup-build.ts), on a cluster one per node; null when this process only reads them */
  readonly builder: RollupBuilder | ClusterRollupBuilder | null;

  constructor(
    private readonly conn: ClickHouseConnection,
    private readonly options: ClickHouseQueryOptions = {},
  ) {
    this.table = eventsOf(conn);
    this.sessions = new SessionTables(conn, this.table);
    const plan = rollupPlan(options.cards ?? []);
    const rollups = (this.rollups = new Rollups(conn, this.table, this.sessions, plan));
    const clock = options.clock ?? Date.now;
    const builder = (node: ClickHouseConnection, shard: ShardOf | null) =>
      new RollupBuilder(node, eventsOf(node), plan, clock, () => rollups.invalidate(), shard);
    this.builder =
      options.build === false
        ? null
        : conn.cluster
          ? new ClusterRollupBuilder(
              conn.cluster.nodes.map((node, index) => builder(node, { index, cluster: conn })),
            )
          : builder(conn, null);
  }

  /** Starts the row-count refresh and the rollup builder; resolves after the first count. */
  async start(refreshMs = 30_000): Promise<void> {
    await this.sessions.dropStale(Date.now());
    // The builders' session tables of a cluster are made on each node (a process may have died mid-build).
    for (const node of this.conn.cluster?.nodes ?? [])
      await new SessionTables(node, eventsOf(node)).dropStale(Date.now());
    await this.refresh();
    this.timer ??= setInterval(() => void this.refresh().catch(() => undefined), refreshMs);
    this.timer.unref();
    this.builder?.start(this.options.buildEveryMs);
  }

  /**
   * Stops the timers, and drops the range tables once the statements in flight on them end (at
   * most SESSION_DROP_WAIT_MS), so that the connection is closed after them: closed first, every
   * drop in flight was logged as an error on each shutdown.
   */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.builder?.stop();
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, SESSION_DROP_WAIT_MS);
      timer.unref();
    });
    await Promise.race([this.sessions.close(), waited]);
    clearTimeout(timer);
  }

  /**
   * Data changed under closed days (erasure, purge, replay, import): readers see it at once (the
   * fingerprints turn those days raw), and the builder is asked to rebuild them now.
   */
  changed(): void {
    this.sessions.forget();
    this.rollups.invalidate();
    this.builder?.kick();
  }

  // The collector drives the in-memory index through these; with ClickHouse the data is already
  // where the queries run (and erasure/retention delete it there), so they have nothing to do.
  /** Same shape as MemoryBackend.load: here it only starts the row count. */
  load(_store?: EventStore): Promise<void> {
    return this.start();
  }
  add(_records: readonly StoredRecord[]): void {}
  /** Called after an erasure or a purge. */
  retain(_keep: (record: StoredRecord) => boolean): void {
    this.changed();
  }

  query: QueryBackend['query'] = async (q) =>
    (await this.rollups.aggregate(q)) ?? aggregate(this.conn, this.table, this.sessions, q);
  funnel: QueryBackend['funnel'] = (q) => funnel(this.conn, this.table, this.sessions, q);
  retention: QueryBackend['retention'] = (q) => retention(this.conn, this.table, this.sessions, q);
  journeys: QueryBackend['journeys'] = (q) => journeys(this.conn, this.table, this.sessions, q);
  events: QueryBackend['events'] = (q) => events(this.conn, this.table, this.sessions, q);
  numericPropKeys: QueryBackend['numericPropKeys'] = async (q) =>
    (await this.rollups.propKeys(q)) ?? numericPropKeys(this.conn, this.table, q);
  sites: QueryBackend['sites'] = async () =>
    (
      await rows<{ site: string }>(
        this.conn,
        sql`SELECT DISTINCT site FROM ${this.table} WHERE site != '' ORDER BY site LIMIT 10000`,
      )
    ).map((r) => r.site);

  /** New and returning identified users of an unfiltered range in one statement (new-returning.ts). */
  newVsReturning(base: NormalizedQuery): Promise<{ new_users: number; returning_users: number }> {
    return newVsReturning(this.conn, this.table, base);
  }

  /** Visits through shared links: only the units that may hold one are sessionized (shared-visits.ts). */
  sharedVisits(base: NormalizedQuery): Promise<QueryRows> {
    return entryAnswerable(base, SHARED_VISIT)
      ? sessionsByEntry(this.conn, this.table, base, SHARED_VISIT)
      : this.query(sharedVisitsQuery(base));
  }

  /** Page-view top lists for many dimensions at once (used by `overall`, see top-lists.ts). */
  async topLists(base: NormalizedQuery, dims: readonly Dimension[]): Promise<QueryRows[]> {
    return (
      (await this.rollups.topLists(base, dims)) ?? topLists(this.conn, this.table, this.sessions, base, dims)
    );
  }

  status(): BackendStatus {
    return { ready: true, rows: this.rowCount, progress: 1 };
  }

  private async refresh(): Promise<void> {
    const [row] = await rows<{ n: number }>(this.conn, sql`SELECT count() AS n FROM ${this.table}`);
    this.rowCount = Number(row?.n ?? 0);
  }
}

/** The events table of a connection: on a cluster's main connection the Distributed one, on a node its own. */
function eventsOf(conn: ClickHouseConnection): SqlFragment {
  return sql`${ident(conn.database)}.${ident(TABLES.events)}`;
}
