import { readdir, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { AppendFiles } from './append-files.ts';
import { compressClosedDays } from './compress-days.ts';
import {
  DAY_PATTERN,
  dayDir,
  dayEnd,
  dayStart,
  eventsDir,
  kindFile,
  quarantineDir,
  utcDay,
} from './day-files.ts';
import { eraseUserFiles, userLineMatcher } from './erase-user.ts';
import { GroupCommit } from './group-commit.ts';
import { readLineBatches } from './line-reader.ts';
import { RECORD_KINDS, parseRecordLine, serializeRecord, type StoredRecord } from './schema.ts';
import { purgeDaysBefore } from './retention.ts';
import { repairTornTails } from './torn-tails.ts';
import { isUnreadableFile, listSetAside, setAsideUnreadable } from './unreadable-files.ts';
import {
  StoreUnavailableError,
  systemClock,
  type Clock,
  type EventStore,
  type StoreHealth,
  type StoredFile,
  type TimeRange,
} from './types.ts';

/**
 * Folder of the data dir holding derived data (index snapshots): deleted before any erasure or
 * purge changes a file, since a snapshot taken earlier would bring the removed records back.
 */
export const INDEX_DIR = 'index';

export interface JsonlStoreOptions {
  dataDir: string;
  clock?: Clock;
  /** how often closed days are looked for and gzipped; 0 turns the background job off */
  compressEveryMs?: number;
  /** awaited before an erasure or purge changes any file, ahead of deleting INDEX_DIR */
  beforeRewrite?: () => Promise<void>;
}

/**
 * The embedded store: append-only JSON Lines, one file per record kind per UTC day, written by
 * group commit so every acknowledged record is fsynced. Open it with `JsonlStore.open`, which
 * repairs torn tails left by a crash before anything is written.
 */
export class JsonlStore implements EventStore {
  private readonly files = new AppendFiles();
  private readonly commits = new GroupCommit<StoredRecord>((batch) =>
    this.withWriterPaused(() => this.writeBatch(batch)),
  );
  // Batches and file rewrites take turns on this chain, so a rewrite never races an append.
  private writerLane: Promise<unknown> = Promise.resolve();
  private readonly clock: Clock;
  private written = 0;
  private quarantined = 0;
  private quarantinedFiles = 0;
  private lastWriteError: string | null = null;
  private compressTimer: NodeJS.Timeout | null = null;
  private compressing: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(private readonly options: JsonlStoreOptions) {
    this.clock = options.clock ?? systemClock;
  }

  static async open(options: JsonlStoreOptions): Promise<JsonlStore> {
    const store = new JsonlStore(options);
    const torn = await repairTornTails(options.dataDir, store.clock());
    store.quarantined += torn.files;
    // Unreadable files set aside by an earlier run still need a human: keep counting them.
    store.quarantinedFiles = (await listSetAside(options.dataDir)).length;
    if (torn.files > 0) {
      console.warn(
        `storage: set aside ${torn.files} torn line(s), ${torn.bytes} bytes, in ${options.dataDir}/quarantine`,
      );
    }
    const every = options.compressEveryMs ?? 60 * 60 * 1000;
    if (every > 0) {
      store.compressNow();
      store.compressTimer = setInterval(() => store.compressNow(), every);
      store.compressTimer.unref();
    }
    return store;
  }

  append(records: readonly StoredRecord[]): Promise<void> {
    if (this.closed) return Promise.reject(new StoreUnavailableError('store is closed'));
    if (records.length === 0) return Promise.resolve();
    return this.commits.submit(records);
  }

  async *scan(range: TimeRange = {}): AsyncGenerator<StoredRecord> {
    for await (const batch of this.scanBatches(range)) yield* batch;
  }

  /** The same records as scan(), a file chunk at a time: what bulk readers (the index) use. */
  async *scanBatches(range: TimeRange = {}): AsyncGenerator<StoredRecord[]> {
    const from = range.from ?? -Infinity;
    const to = range.to ?? Infinity;
    for (const day of await this.days()) {
      if (dayEnd(day) <= from || dayStart(day) >= to) continue;
      for (const kind of RECORD_KINDS) {
        for await (const lines of this.dayLines(day, kind)) {
          const batch: StoredRecord[] = [];
          for (const line of lines) {
            const record = parseRecordLine(line);
            if (!record) this.quarantined += 1;
            else if (record.ts >= from && record.ts < to) batch.push(record);
          }
          if (batch.length > 0) yield batch;
        }
      }
    }
  }

  eraseUser(userId: string): Promise<number> {
    return this.maintain(async () => {
      await this.dropDerived();
      return eraseUserFiles(
        this.options.dataDir,
        userId,
        (path, rewrite) =>
          this.withWriterPaused(async () => {
            await this.files.closeWhere((p) => p === path);
            return rewrite();
          }),
        // Already inside maintain(): set aside directly, not through setAside().
        (path) => this.setAsideNow(path),
      ).catch((error: NodeJS.ErrnoException) => {
        // A full or failing disk part-way: the files done so far are erased, each one whole, and
        // the caller answers 503 so the client retries (a rerun skips what is already gone).
        if (typeof error.code !== 'string') throw error;
        this.lastWriteError = error.message;
        throw new StoreUnavailableError(`erasure stopped part-way: ${error.message}`);
      });
    });
  }

  async *exportUser(userId: string): AsyncGenerator<StoredRecord> {
    if (!userId) return;
    const matches = userLineMatcher(userId);
    for (const day of await this.days()) {
      for (const kind of RECORD_KINDS) {
        for await (const lines of this.dayLines(day, kind)) {
          for (const line of lines) {
            if (!matches(line)) continue;
            const record = parseRecordLine(line);
            if (record) yield record;
          }
        }
      }
    }
  }

  purgeBefore(firstKeptDay: string): Promise<number> {
    // Derived data goes only when a day is really due, so a run with nothing to purge keeps it.
    let dropped: Promise<void> | null = null;
    return this.maintain(() =>
      purgeDaysBefore(this.options.dataDir, firstKeptDay, async (day) => {
        await (dropped ??= this.dropDerived());
        await this.withWriterPaused(() =>
          this.files.closeWhere((p) => p.startsWith(dayDir(this.options.dataDir, day))),
        );
      }),
    );
  }

  /**
   * Every day file on disk now, oldest day first and kinds in RECORD_KINDS order, taking the
   * .gz where compression left both (as reads do).
   */
  async listFiles(): Promise<StoredFile[]> {
    const out: StoredFile[] = [];
    for (const day of await this.days()) {
      const names = await readdir(dayDir(this.options.dataDir, day)).catch(() => [] as string[]);
      for (const kind of RECORD_KINDS) {
        const gz = names.includes(`${kind}.jsonl.gz`);
        if (!gz && !names.includes(`${kind}.jsonl`)) continue;
        // Compression may replace the plain file between readdir and stat.
        for (const compressed of gz ? [true] : [false, true]) {
          const path = kindFile(this.options.dataDir, day, kind, compressed);
          const info = await stat(path, { bigint: true }).catch(() => null);
          if (!info) continue;
          out.push({ day, kind, path, compressed, size: Number(info.size), ino: String(info.ino) });
          break;
        }
      }
    }
    return out;
  }

  /**
   * Runs `fn` with listFiles() between two write batches, once the callers of the last batch
   * have been told (their append() continuations ran): the files then hold exactly the records
   * an index fed by those callers holds. Appends wait meanwhile, so `fn` should be quick.
   */
  atRest<T>(fn: (files: StoredFile[]) => T): Promise<T> {
    return this.withWriterPaused(async () => {
      await new Promise((resolve) => setImmediate(resolve));
      return fn(await this.listFiles());
    });
  }

  health(): StoreHealth {
    return {
      backend: 'json',
      written: this.written,
      quarantinedLines: this.quarantined,
      quarantinedFiles: this.quarantinedFiles,
      lastWriteError: this.lastWriteError,
    };
  }

  /** Gzips closed days now; resolves with the number of files compressed. */
  compressNow(): Promise<number> {
    const run = this.compressing.then(() =>
      compressClosedDays(this.options.dataDir, this.clock(), (day) =>
        this.commits
          .idle()
          .then(() => this.files.closeWhere((p) => p.startsWith(dayDir(this.options.dataDir, day)))),
      ),
    );
    this.compressing = run.catch((error: Error) =>
      console.error(`storage: compression failed: ${error.message}`),
    );
    return run;
  }

  /** Deletes derived data before a rewrite (see INDEX_DIR), after telling its owner. */
  private async dropDerived(): Promise<void> {
    await this.options.beforeRewrite?.();
    await rm(join(this.options.dataDir, INDEX_DIR), { recursive: true, force: true });
  }

  /** Runs `fn` between two batches: appends that arrive meanwhile wait and go in the next one. */
  private withWriterPaused<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.writerLane.then(fn);
    this.writerLane = run.catch(() => undefined);
    return run;
  }

  /** Runs `fn` after the compression or rewrite in progress, never alongside it. */
  private maintain<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.compressing.then(fn);
    this.compressing = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.compressTimer) clearInterval(this.compressTimer);
    await this.commits.idle();
    await this.compressing;
    await this.files.closeAll();
  }

  private async writeBatch(batch: StoredRecord[]): Promise<void> {
    // Lines by day file; the path is built once per file, not per record.
    const byFile = new Map<string, string>();
    for (const record of batch) {
      const file = `${utcDay(record.ts)}/${record.kind}`;
      byFile.set(file, (byFile.get(file) ?? '') + serializeRecord(record) + '\n');
    }
    const chunks = new Map<string, string>();
    for (const [file, text] of byFile) {
      const [day, kind] = file.split('/') as [string, StoredRecord['kind']];
      chunks.set(kindFile(this.options.dataDir, day, kind), text);
    }
    try {
      await this.files.appendAll(chunks);
    } catch (error) {
      this.lastWriteError = (error as Error).message;
      throw new StoreUnavailableError(`could not write events: ${(error as Error).message}`);
    }
    this.lastWriteError = null;
    this.written += batch.length;
  }

  private async days(): Promise<string[]> {
    const names = await readdir(eventsDir(this.options.dataDir)).catch(() => [] as string[]);
    return names.filter((d) => DAY_PATTERN.test(d)).sort();
  }

  /**
   * Lines of one day's file, from the .gz when compression finished, else the plain file. A file
   * that cannot be read to its end is set aside (see setAside) after its readable lines were
   * yielded, and the read carries on with the next file.
   */
  private async *dayLines(day: string, kind: (typeof RECORD_KINDS)[number]): AsyncGenerator<string[]> {
    const names = await readdir(dayDir(this.options.dataDir, day)).catch(() => [] as string[]);
    const gz = `${kind}.jsonl.gz`;
    const plain = `${kind}.jsonl`;
    const pick = names.includes(gz) ? gz : names.includes(plain) ? plain : null;
    if (!pick) return;
    try {
      yield* this.fileLines(join(dayDir(this.options.dataDir, day), pick));
    } catch (error) {
      // Compression may have replaced the plain file between readdir and open, and retention may
      // have removed the whole day.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      if (pick === gz) return;
      try {
        yield* this.fileLines(kindFile(this.options.dataDir, day, kind, true));
      } catch (again) {
        if ((again as NodeJS.ErrnoException).code !== 'ENOENT') throw again;
      }
    }
  }

  private async *fileLines(path: string): AsyncGenerator<string[]> {
    try {
      yield* readLineBatches(path);
    } catch (error) {
      if (!isUnreadableFile(error)) throw error;
      await this.setAside(path);
    }
  }

  /**
   * Sets an unreadable day file aside (storage/unreadable-files.ts), between two rewrites and, for
   * a plain file, with appends paused and its handle closed. Never throws: the read that found it
   * carries on either way, and a file that could not be moved is simply found again next time.
   */
  private async setAside(path: string): Promise<void> {
    const now = () =>
      path.endsWith('.gz')
        ? this.setAsideNow(path)
        : this.withWriterPaused(async () => {
            await this.files.closeWhere((p) => p === path);
            await this.setAsideNow(path);
          });
    await this.maintain(now).catch((error: Error) =>
      console.error(`storage: could not set aside the unreadable ${path}: ${error.message}`),
    );
  }

  private async setAsideNow(path: string): Promise<void> {
    const done = await setAsideUnreadable(this.options.dataDir, path, this.clock());
    if (!done) return;
    this.quarantinedFiles += 1;
    console.error(
      `storage: ${path} could not be read to its end (${done.error}); moved to ${done.quarantined}, ` +
        `its ${done.keptLines} readable line(s) kept in its place`,
    );
  }

  /**
   * The unreadable day files set aside in the quarantine folder, as paths relative to the data
   * dir: erasure and export cannot look inside them, so they report them (each may hold any
   * user's records) until an operator recovers or deletes them.
   */
  async unreadableFiles(): Promise<string[]> {
    const names = await listSetAside(this.options.dataDir);
    return names.map((name) => `${basename(quarantineDir(this.options.dataDir))}/${name}`);
  }
}
