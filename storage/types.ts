import type { RecordKind, StoredRecord } from './schema.ts';

/** Milliseconds since the epoch; injected everywhere so tests can fix "now". */
export type Clock = () => number;
export const systemClock: Clock = () => Date.now();

export interface TimeRange {
  /** inclusive, epoch ms */
  from?: number;
  /** exclusive, epoch ms */
  to?: number;
}

export interface StoreHealth {
  backend: string;
  /** records acknowledged since start */
  written: number;
  /** torn or corrupt lines set aside (at start-up or while reading) */
  quarantinedLines: number;
  /** unreadable day files in the quarantine folder (left by earlier runs or set aside since) */
  quarantinedFiles?: number;
  /** the last write error, cleared by the next successful write */
  lastWriteError: string | null;
}

/**
 * Where events live. Both backends (JSON Lines files, ClickHouse) implement it, so the collector
 * and the query engine never know which one they talk to.
 */
export interface EventStore {
  /** Resolves only once every record is durable; rejects with StoreUnavailableError otherwise. */
  append(records: readonly StoredRecord[]): Promise<void>;
  /** Streams the stored records whose ts falls in the range, oldest day first. */
  scan(range?: TimeRange): AsyncIterable<StoredRecord>;
  /** The same records as scan() in batches, for bulk readers; optional, scan() is the fallback. */
  scanBatches?(range?: TimeRange): AsyncIterable<StoredRecord[]>;
  health(): StoreHealth;
  /**
   * Erases every record whose `user` equals `userId` (right to erasure) and resolves with how many
   * went; only once they are gone from durable storage. Never called with an empty id (that would
   * be every anonymous record). JSON Lines rewrites each affected file atomically (temp + fsync +
   * rename) with appends paused; ClickHouse runs `ALTER TABLE … DELETE WHERE user = {id:String}`
   * with `mutations_sync = 2`, so the rows are gone on every replica when the promise resolves.
   */
  eraseUser(userId: string): Promise<number>;
  /**
   * Streams every stored record whose `user` equals `userId`, oldest day first (export / access).
   * Both this and eraseUser carry on past a day file they cannot read (set aside, see
   * unreadableFiles).
   */
  exportUser(userId: string): AsyncIterable<StoredRecord>;
  /**
   * Stored files nobody can read (set aside after a read error), which may hold any user's
   * records: erasure and export report them as skipped. Absent: the backend has none.
   */
  unreadableFiles?(): Promise<string[]>;
  /**
   * Deletes every record of the UTC days before `firstKeptDay` (YYYY-MM-DD, exclusive) and resolves
   * with the number of days removed (retention). JSON Lines removes whole day folders; ClickHouse
   * drops the partitions (or DELETE WHERE ts < that day's start).
   */
  purgeBefore(firstKeptDay: string): Promise<number>;
  /** Flushes what is pending and releases files and connections. */
  close(): Promise<void>;
}

/** One day file of the JSON Lines store as it is on disk now (what index snapshots record). */
export interface StoredFile {
  day: string;
  kind: RecordKind;
  path: string;
  /** gzipped (a closed day) */
  compressed: boolean;
  /** bytes on disk */
  size: number;
  /** inode number, as text: a rewrite replaces the file, so this changes even if the size does not */
  ino: string;
}

/** A write that could not be made durable: the caller answers 503 and the client retries. */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
}
