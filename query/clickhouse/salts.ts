import { randomBytes } from 'node:crypto';
import { utcDay } from '../../storage/day-files.ts';
import type { SaltStore } from '../../storage/salts.ts';
import type { ClickHouseConnection } from './connection.ts';
import { TABLES } from './ddl.ts';
import { exec } from './migrate.ts';
import { ident, sql } from './sql.ts';

const DAY_MS = 86_400_000;

/**
 * Daily salts in ClickHouse, so every collector hashes a visitor to the same id.
 *
 * ClickHouse has no transactions, so agreement works like this: a collector adds a candidate for a
 * day only when it finds none (once per process: concurrent requests share one attempt), and
 * everyone uses the earliest-created candidate (ties: the smaller salt). A candidate is only ever
 * made by a collector that saw none, so a later one cannot displace the agreed one. Today's and
 * tomorrow's salts are made at start (before the first request) and tomorrow's again on every
 * hourly prune, so by the time a day begins every collector sees the same candidates. Only
 * collectors starting together on a day without a salt can race; they wait `settleMs` after
 * writing before reading back, which covers inserts slower than that.
 * A day is destroyed by dropping its partition once it is older than yesterday (48 h at most).
 */
export class ClickHouseSaltStore implements SaltStore {
  private readonly cache = new Map<string, Buffer>();
  private readonly pending = new Map<string, Promise<Buffer>>();

  constructor(
    private readonly conn: ClickHouseConnection,
    private readonly clock: () => number,
    private readonly settleMs = 1000,
  ) {}

  private get table() {
    return sql`${ident(this.conn.database)}.${ident(TABLES.salts)}`;
  }

  async saltFor(now: number): Promise<Buffer> {
    const day = utcDay(now);
    const cached = this.cache.get(day);
    if (cached) return cached;
    const salt = await this.agreed(day, this.settleMs);
    this.cache.set(day, salt);
    if (this.cache.size > 2) await this.prune(now);
    return salt;
  }

  async prune(now: number): Promise<void> {
    const yesterday = utcDay(now - DAY_MS);
    for (const day of this.cache.keys()) if (day < yesterday) this.cache.delete(day);
    const result = await this.conn.client.query({
      query:
        sql`SELECT DISTINCT partition FROM system.parts WHERE database = ${this.conn.database} AND table = ${TABLES.salts} AND active`
          .text,
      format: 'JSONEachRow',
      clickhouse_settings: this.conn.settings,
    });
    for (const { partition } of await result.json<{ partition: string }>()) {
      const day = partition.replace(/'/g, '');
      if (/^\d{4}-\d{2}-\d{2}$/.test(day) && day < yesterday) {
        await exec(this.conn, sql`ALTER TABLE ${this.table} DROP PARTITION ${day}`);
      }
    }
    // Today's now (before serving) and tomorrow's a day early, so collectors agree before use.
    await this.saltFor(now);
    await this.agreed(utcDay(now + DAY_MS), 0);
  }

  private agreed(day: string, settleMs: number): Promise<Buffer> {
    let attempt = this.pending.get(day);
    if (!attempt) {
      attempt = this.ensure(day, settleMs).finally(() => this.pending.delete(day));
      this.pending.set(day, attempt);
    }
    return attempt;
  }

  /** The day's agreed salt, adding a candidate first when there is none. */
  private async ensure(day: string, settleMs: number): Promise<Buffer> {
    const existing = await this.read(day);
    if (existing) return existing;
    await this.conn.client.insert({
      table: this.table.text,
      values: [{ day, salt: randomBytes(32).toString('hex'), created: this.clock() }],
      format: 'JSONEachRow',
      clickhouse_settings: this.conn.settings,
    });
    if (settleMs > 0) await new Promise((r) => setTimeout(r, settleMs));
    const agreed = await this.read(day);
    if (!agreed) throw new Error(`salt for ${day} vanished right after it was written`);
    return agreed;
  }

  private async read(day: string): Promise<Buffer | null> {
    const result = await this.conn.client.query({
      query: sql`SELECT salt FROM ${this.table} WHERE day = toDate(${day}) ORDER BY created, salt LIMIT 1`
        .text,
      format: 'JSONEachRow',
      clickhouse_settings: this.conn.settings,
    });
    const [row] = await result.json<{ salt: string }>();
    if (!row) return null;
    return Buffer.from(row.salt, 'hex');
  }
}
