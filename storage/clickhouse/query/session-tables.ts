import { randomBytes } from 'node:crypto';
import type { ClickHouseConnection } from '../connection.ts';
import { exec } from '../migrate.ts';
import { ident, sql, type SqlFragment } from '../sql.ts';
import type { RangeScope } from './prepared.ts';
import {
  ATTRIBUTE_SOURCES,
  keyedRows,
  sessionAttributes,
  unitStarts,
  withAttributes,
} from './session-build.ts';
import { rows } from './run.ts';

const PREFIX = 'tmp_sessions_';

/**
 * Sessionizing a range is the expensive part of a query: about 2.5 s for 780k rows on a busy 2-core
 * machine (session-build.ts), against 0.1–0.3 s for a plain GROUP BY. One dashboard
 * load asks a dozen session questions about the same range at once, so the sessionized rows are
 * made once into a Memory table that every query of that range shares, and dropped `ttlMs` later.
 * `to` is "now" for rolling ranges, so a table is only ever shared by queries of one burst.
 */
export class SessionTables {
  private readonly live = new Map<string, Promise<SqlFragment>>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly conn: ClickHouseConnection,
    private readonly table: SqlFragment,
    private readonly ttlMs = 30_000,
  ) {}

  /** A subquery over the scope's rows with their sessions and session attributes. */
  get(scope: Omit<RangeScope, 'table'>): Promise<SqlFragment> {
    const key = `${scope.site}\u0000${scope.from}\u0000${scope.to}`;
    let made = this.live.get(key);
    if (!made) {
      made = this.create({ ...scope, table: this.table });
      this.live.set(key, made);
      made.then(
        (name) => {
          const timer = setTimeout(() => {
            this.timers.delete(timer);
            this.live.delete(key);
            void this.drop(name);
          }, this.ttlMs);
          timer.unref();
          this.timers.add(timer);
        },
        () => this.live.delete(key),
      );
    }
    return made.then((name) => sql`SELECT * FROM ${name}`);
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

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const names = await Promise.allSettled([...this.live.values()]);
    this.live.clear();
    for (const r of names) if (r.status === 'fulfilled') await this.drop(r.value);
  }

  /** Builds the range's session table in three statements (session-build.ts), each into Memory. */
  private async create(scope: RangeScope): Promise<SqlFragment> {
    const id = randomBytes(8).toString('hex');
    const table = (suffix: string) => sql`${ident(this.conn.database)}.${ident(`${PREFIX}${id}${suffix}`)}`;
    const [units, attributes, name] = [table('_units'), table('_attrs'), table('')];
    const create = (target: SqlFragment, select: SqlFragment) =>
      exec(this.conn, sql`CREATE TABLE ${target} ENGINE = Memory AS ${select}`);
    try {
      await create(units, unitStarts(scope));
      await create(attributes, sessionAttributes(keyedRows(scope, units, ATTRIBUTE_SOURCES)));
      await create(name, withAttributes(keyedRows(scope, units), attributes));
    } catch (error) {
      await this.drop(name);
      throw error;
    } finally {
      await Promise.all([units, attributes].map((t) => this.drop(t)));
    }
    return name;
  }

  private async drop(name: SqlFragment): Promise<void> {
    await exec(this.conn, sql`DROP TABLE IF EXISTS ${name}`).catch(() => undefined);
  }
}
