/**
 * Settings an admin changes while the collector runs (accounts, sessions, API keys, public links,
 * goals, funnels, segments, annotations, metric cards), kept with the events' store so every
 * collector over the same store agrees without a restart: a file in the data directory for the
 * JSON store (file-settings-store.ts), a table for ClickHouse (query/clickhouse/settings.ts).
 *
 * The store keeps opaque documents by (kind, id); each feature validates its own bodies, so a
 * document written by a newer version is never rejected here.
 */
export interface SettingDoc<T = unknown> {
  /** what the document is, e.g. `account`, `goal`; see SETTING_KIND */
  kind: string;
  /** unique within its kind */
  id: string;
  /** the site it belongs to; null for documents of no one site (accounts, sessions) */
  site: string | null;
  /** ms since the epoch of the last write */
  updated: number;
  body: T;
}

export type NewSettingDoc<T = unknown> = Omit<SettingDoc<T>, 'updated'>;

export interface SettingsStore {
  /** every document of a kind, oldest write first; only those of `site` when it is given */
  list<T = unknown>(kind: string, site?: string): Promise<SettingDoc<T>[]>;
  get<T = unknown>(kind: string, id: string): Promise<SettingDoc<T> | null>;
  /** creates or replaces the document (kind, id) */
  put<T = unknown>(doc: NewSettingDoc<T>): Promise<SettingDoc<T>>;
  /** the kinds with documents, sorted (a store may also name a kind whose documents were all removed) */
  kinds(): Promise<string[]>;
  /** true when there was a document to remove */
  remove(kind: string, id: string): Promise<boolean>;
  close(): Promise<void>;
}

/** Kinds are short lowercase names; ids are printable and bounded, as they end up in file and SQL text. */
export const SETTING_KIND = /^[a-z][a-z0-9-]{0,31}$/;
export const SETTING_ID = /^[\x21-\x7e]{1,200}$/;

export class SettingsError extends Error {}

/** Throws a SettingsError naming what is wrong with a document's kind or id. */
export function checkKey(kind: string, id?: string): void {
  if (!SETTING_KIND.test(kind)) throw new SettingsError(`invalid settings kind: ${JSON.stringify(kind)}`);
  if (id !== undefined && !SETTING_ID.test(id)) throw new SettingsError('invalid settings id');
}

/** Documents of one kind (and site), oldest write first, as every store lists them. */
export function selectDocs<T>(docs: Iterable<SettingDoc>, kind: string, site?: string): SettingDoc<T>[] {
  const chosen: SettingDoc<T>[] = [];
  for (const doc of docs)
    if (doc.kind === kind && (site === undefined || doc.site === site)) chosen.push(doc as SettingDoc<T>);
  return chosen.sort((a, b) => a.updated - b.updated || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
