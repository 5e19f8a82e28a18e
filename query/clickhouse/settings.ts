import {
  checkKey,
  selectDocs,
  type NewSettingDoc,
  type SettingDoc,
  type SettingsStore,
} from '../../storage/settings/settings-store.ts';
import type { Clock } from '../../storage/types.ts';
import type { ClickHouseConnection } from './connection.ts';
import { TABLES } from './ddl.ts';
import { rows } from './run.ts';
import { ident, sql } from './sql.ts';

interface Row {
  id: string;
  site: string;
  has_site: number;
  updated: number;
  deleted: number;
  body: string;
}

/**
 * Settings in ClickHouse, shared by every collector. ClickHouse has no transactions or in-place
 * updates, so each write is a new row with a higher version and reads take each id's newest row
 * (argMax), which is right before and after merges. Versions are the write time in µs, kept
 * increasing within a process, so the last writer wins across collectors as it does in a file.
 *
 * A kind's documents are cached for `cacheMs`: a collector sees its own writes at once and other
 * collectors' within that time.
 */
export class ClickHouseSettingsStore implements SettingsStore {
  private readonly cache = new Map<string, { at: number; docs: SettingDoc[] }>();
  private lastVersion = 0;

  constructor(
    private readonly conn: ClickHouseConnection,
    private readonly clock: Clock,
    private readonly cacheMs = 1000,
  ) {}

  private get table() {
    return sql`${ident(this.conn.database)}.${ident(TABLES.settings)}`;
  }

  async list<T>(kind: string, site?: string): Promise<SettingDoc<T>[]> {
    checkKey(kind);
    return selectDocs<T>(await this.kind(kind), kind, site);
  }

  /** Every kind ever written, sorted: telling removed-only kinds apart would cost a read of each. */
  async kinds(): Promise<string[]> {
    const found = await rows<{ kind: string }>(this.conn, sql`SELECT DISTINCT kind FROM ${this.table}`);
    return found.map((r) => r.kind).sort();
  }

  async get<T>(kind: string, id: string): Promise<SettingDoc<T> | null> {
    checkKey(kind, id);
    return ((await this.kind(kind)).find((d) => d.id === id) as SettingDoc<T> | undefined) ?? null;
  }

  async put<T>(doc: NewSettingDoc<T>): Promise<SettingDoc<T>> {
    checkKey(doc.kind, doc.id);
    const stored: SettingDoc<T> = { ...doc, updated: this.clock() };
    await this.insert(stored, false);
    return stored;
  }

  async remove(kind: string, id: string): Promise<boolean> {
    const existing = await this.get(kind, id);
    if (!existing) return false;
    await this.insert({ ...existing, updated: this.clock() }, true);
    return true;
  }

  async close(): Promise<void> {
    this.cache.clear();
  }

  private async insert(doc: SettingDoc, deleted: boolean): Promise<void> {
    this.lastVersion = Math.max(this.lastVersion + 1, Date.now() * 1000);
    await this.conn.client.insert({
      table: `${ident(this.conn.database).text}.${ident(TABLES.settings).text}`,
      values: [
        {
          kind: doc.kind,
          id: doc.id,
          site: doc.site ?? '',
          has_site: doc.site === null ? 0 : 1,
          updated: doc.updated,
          version: this.lastVersion,
          deleted: deleted ? 1 : 0,
          body: JSON.stringify(doc.body ?? null),
        },
      ],
      format: 'JSONEachRow',
      clickhouse_settings: this.conn.settings,
    });
    this.cache.delete(doc.kind);
  }

  private async kind(kind: string): Promise<SettingDoc[]> {
    const now = Date.now();
    const cached = this.cache.get(kind);
    if (cached && now - cached.at < this.cacheMs) return cached.docs;
    const found = await rows<Row>(
      this.conn,
      sql`SELECT id, argMax(site, version) AS site, argMax(has_site, version) AS has_site,
  argMax(updated, version) AS updated, argMax(deleted, version) AS deleted, argMax(body, version) AS body
FROM ${this.table} WHERE kind = ${kind} GROUP BY id`,
    );
    const docs = found
      .filter((r) => Number(r.deleted) === 0)
      .map((r) => ({
        kind,
        id: r.id,
        site: Number(r.has_site) ? r.site : null,
        updated: Number(r.updated),
        body: JSON.parse(r.body) as unknown,
      }));
    this.cache.set(kind, { at: now, docs });
    return docs;
  }
}
