import { randomBytes } from 'node:crypto';
import type { ClickHouseConnection } from './connection.ts';
import { exec } from './migrate.ts';
import { ident, sql, type SqlFragment } from './sql.ts';
import type { RangeScope } from './prepared.ts';
import {
  ATTRIBUTE_COLUMNS,
  ATTRIBUTE_SOURCES,
  keyedRows,
  narrowWide,
  ofUnitsHolding,
  sessionAttributes,
  unitStarts,
  withAttributes,
} from './session-build.ts';
import { rows } from './run.ts';
import { RecordBatcher } from './record-batch.ts';

const PREFIX = 'tmp_sessions_';

/** The narrow tables that sessionize one range (session-build.ts). */
export interface SessionKeys {
  /** (unit, starts): the session starts of every unit, for `keyedRows` */
  units: SqlFragment;
  /** one row per session: `sess` and the s_* columns */
  attributes: SqlFragment;
}

interface RangeTables {
  /** resolves before `keys`: queries that need only session keys start on it */
  units: Promise<SqlFragment>;
  /**
   * the attributes by the records their units must hold ('' for every unit), each made on the
   * first query that needs it
   */
  keys: Map<string, Promise<SessionKeys>>;
  /** the wide copies by their column list ('' for all), each made on the first query that needs it */
  wide: Map<string, Promise<SqlFragment>>;
  /** every table made for the range, dropped together */
  made: SqlFragment[];
  timer: NodeJS.Timeout | null;
}

/**
 * Sessionizing a range is the expensive part of a query (session-build.ts), against 0.1–0.3 s for
 * a plain GROUP BY over 780k rows. One dashboard load asks a dozen session questions about the
 * same range at once, so each range gets, once, and only when a question asks for it:
 *   - `units`: the unit starts, enough for scroll depth (aggregate.ts);
 *   - `keys`: the per-session attributes (about 2 s at 30 days on a busy 2-core machine), enough
 *     for `overall`: its session totals read the attributes alone, and its top lists key only the
 *     records they need (top-lists.ts, aggregate.ts);
 *   - `get`: a wide copy (records with their session and attributes), of only the columns a
 *     general query grouped or filtered by session names, or of all of them (170 MiB at 30 days
 *     on 1M events) for the journeys, funnels and retention that ask for that.
 * All of a range's tables are dropped `ttlMs` after their last use. `to` is "now" for rolling
 * ranges, so tables are only ever shared by queries of one burst.
 */
export class SessionTables {
  private readonly live = new Map<string, RangeTables>();
  /** the record questions of a burst, gathered per scope (record-batch.ts) */
  readonly records: RecordBatcher;

  constructor(
    private readonly conn: ClickHouseConnection,
    private readonly table: SqlFragment,
    private readonly ttlMs = 30_000,
  ) {
    this.records = new RecordBatcher(conn);
  }

  /**
   * The scope's session keys and attributes: of every session, or with `holding` (a condition on
   * the events table), only of the sessions of units holding a record that matches it. A question
   * under record filters counts only such sessions, and the attributes are the costliest table of
   * a range: at 30 days on 1M events, made for the units holding a US record (a quarter of them)
   * they took 148 instead of 247 ms alone on the server.
   */
  keys(scope: Omit<RangeScope, 'table'>, holding: SqlFragment | null = null): Promise<SessionKeys> {
    const entry = this.entry(scope);
    const key = holding?.text ?? '';
    let keys = entry.keys.get(key);
    if (!keys) {
      const made = entry.units.then((u) =>
        this.createAttributes({ ...scope, table: this.table }, u, entry.made, holding),
      );
      entry.keys.set(key, made);
      made.then(
        () => this.touch(scope, entry),
        () => {
          // A later query tries again.
          if (entry.keys.get(key) === made) entry.keys.delete(key);
        },
      );
      keys = made;
    }
    return keys;
  }

  /** Whether those attributes are made or on their way (another question asked for them). */
  hasKeys(scope: Omit<RangeScope, 'table'>, holding: SqlFragment | null = null): boolean {
    return this.live.get(rangeKey(scope))?.keys.has(holding?.text ?? '') ?? false;
  }

  /** The scope's unit starts alone (for `keyedRows`), ready before the attributes are. */
  units(scope: Omit<RangeScope, 'table'>): Promise<SqlFragment> {
    return this.entry(scope).units;
  }

  /**
   * A subquery over the scope's rows with their sessions and session attributes: every column, or
   * only `columns` (of KEYED_ROW_COLUMNS and ATTRIBUTE_COLUMNS). The full copy is 170 MiB at 30
   * days on 1M events and took 0.26–1.1 s to make; a general query grouped or filtered by a
   * session dimension reads a handful of its columns, which are copied alone (session-build.ts).
   */
  get(scope: Omit<RangeScope, 'table'>, columns?: readonly string[]): Promise<SqlFragment> {
    const entry = this.entry(scope);
    const key = columns ? [...new Set(columns)].sort().join(',') : '';
    let wide = entry.wide.get(key);
    if (!wide) {
      const name = this.name(entry.made, '');
      const full = { ...scope, table: this.table };
      const select = columns
        ? // The attributes table when this range has one (made or on its way), else a few computed inline.
          (entry.keys.get('') ?? entry.units.then(() => null)).then(async (keys) =>
            narrowWide(full, await entry.units, key.split(','), keys?.attributes ?? null),
          )
        : this.keys(scope).then((keys) => withAttributes(keyedRows(full, keys.units), keys.attributes));
      const made = select.then(async (statement) => {
        await this.create(name, statement);
        return name;
      });
      entry.wide.set(key, made);
      wide = made;
      made.then(
        () => this.touch(scope, entry),
        () => {
          // A later query tries again; this attempt's table goes now.
          if (entry.wide.get(key) === made) entry.wide.delete(key);
          void this.drop(name);
        },
      );
    }
    return wide.then((name) => sql`SELECT * FROM ${name}`);
  }

  /** Drops tables a crashed process left behind (older than an hour, so never one in use). */
  async dropStale(now: number): Promise<void> {
    const stale = await rows<{ name: string }>(
      this.conn,
      sql`SELECT name FROM system.tables WHERE database = ${this.conn.database} AND startsWith(name, ${PREFIX})
        AND metadata_modification_time < toDateTime(${Math.floor(now / 1000) - 3600})`,
    );
    for (const { name } of stale) await this.drop(sql`${ident(this.conn.database)}.${ident(name)}`);
  }

  /**
   * Forgets every range after the data changed (erasure, purge): later questions sessionize
   * again, and the old tables are dropped by their timers once questions in flight are done.
   */
  forget(): void {
    this.live.clear();
  }

  async close(): Promise<void> {
    const entries = [...this.live.values()];
    this.live.clear();
    await Promise.all(entries.map((entry) => this.expire(entry)));
  }

  private entry(scope: Omit<RangeScope, 'table'>): RangeTables {
    const key = rangeKey(scope);
    let entry = this.live.get(key);
    if (!entry) {
      const made: SqlFragment[] = [];
      const units = this.createUnits({ ...scope, table: this.table }, made);
      const fresh: RangeTables = { units, keys: new Map(), wide: new Map(), made, timer: null };
      units.then(
        () => this.touch(scope, fresh),
        () => {
          if (this.live.get(key) === fresh) this.live.delete(key);
          void this.expire(fresh);
        },
      );
      this.live.set(key, fresh);
      entry = fresh;
    }
    this.touch(scope, entry);
    return entry;
  }

  /** (Re)starts the range's expiry: its tables go `ttlMs` after the last query asked for them. */
  private touch(scope: Omit<RangeScope, 'table'>, entry: RangeTables): void {
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = setTimeout(() => {
      const key = rangeKey(scope);
      if (this.live.get(key) === entry) this.live.delete(key);
      void this.expire(entry);
    }, this.ttlMs);
    entry.timer.unref();
  }

  /** Waits for the range's builds to end, then drops all its tables. */
  private async expire(entry: RangeTables): Promise<void> {
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = null;
    await Promise.allSettled([entry.units, ...entry.keys.values(), ...entry.wide.values()]);
    await Promise.all(entry.made.map((name) => this.drop(name)));
  }

  /** The unit starts (session-build.ts) into Memory. */
  private async createUnits(scope: RangeScope, made: SqlFragment[]): Promise<SqlFragment> {
    const units = this.name(made, '_units');
    await this.create(units, unitStarts(scope));
    return units;
  }

  /** The session attributes (session-build.ts) into Memory, once the unit starts are there. */
  private async createAttributes(
    scope: RangeScope,
    units: SqlFragment,
    made: SqlFragment[],
    holding: SqlFragment | null,
  ): Promise<SessionKeys> {
    const attributes = this.name(made, '_attrs');
    const keyed = keyedRows(
      scope,
      units,
      ATTRIBUTE_SOURCES,
      holding ? ofUnitsHolding(scope, holding) : undefined,
    );
    // Held attributes leave out s_pv_visitors: it serves only the lists of every session
    // (top-lists.ts), and is a sixth of the statement.
    await this.create(attributes, sessionAttributes(keyed, holding ? ATTRIBUTE_COLUMNS : undefined));
    return { units, attributes };
  }

  /** A new table name, remembered so that the range's expiry drops it. */
  private name(made: SqlFragment[], suffix: string): SqlFragment {
    const id = randomBytes(8).toString('hex');
    const name = sql`${ident(this.conn.database)}.${ident(`${PREFIX}${id}${suffix}`)}`;
    made.push(name);
    return name;
  }

  private create(target: SqlFragment, select: SqlFragment): Promise<void> {
    return exec(this.conn, sql`CREATE TABLE ${target} ENGINE = Memory AS ${select}`);
  }

  private async drop(name: SqlFragment): Promise<void> {
    await exec(this.conn, sql`DROP TABLE IF EXISTS ${name}`).catch(() => undefined);
  }
}

function rangeKey(scope: Omit<RangeScope, 'table'>): string {
  return `${scope.site}\u0000${scope.from}\u0000${scope.to}\u0000${scope.rest?.text ?? ''}`;
}
