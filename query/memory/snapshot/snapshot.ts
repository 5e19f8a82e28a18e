import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { INDEX_DIR } from '../../../storage/jsonl-store.ts';
import type { StoredRecord } from '../../../storage/schema.ts';
import type { Clock, StoredFile } from '../../../storage/types.ts';
import { Columns, DICT_FIELDS, INT_FIELDS } from '../columns.ts';
import type { MemoryIndex } from '../index.ts';
import {
  decodeSnapshot,
  type DecodedSnapshot,
  encodeSnapshot,
  SnapshotError,
  viewColumns,
  type FileMark,
} from './snapshot-format.ts';
import { withTrailers, writeAtomically } from './snapshot-files.ts';
import { readTails } from './snapshot-tail.ts';
import { planTails, type Tail } from './snapshot-watermark.ts';

/**
 * Index snapshots: the in-memory index's columns saved as one binary file (snapshot-format.ts)
 * with a watermark of the stored bytes they hold, so start-up reads that file and only the JSON
 * Lines stored after it instead of parsing every line (about 3 µs each).
 *
 * The JSON files stay the truth: a snapshot that does not fit them exactly (a file shrank,
 * vanished or was replaced, the file is corrupt or of another format or schema) is ignored with
 * one log line and the index loads every stored line as before. Erasure and retention delete the
 * snapshot before they change a file (JsonlStore's beforeRewrite, wired to invalidate()), and no
 * new one is written until the index has dropped the same records (release()).
 */
export class IndexSnapshots {
  /** erasures and purges begun whose records the index may still hold */
  private holds = 0;
  /** bumped by every invalidate(): a write or load that began before it must not be used */
  private invalidations = 0;
  private writing: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly dataDir: string,
    private readonly clock: Clock,
    private readonly log: (line: string) => void = (line) => console.warn(line),
  ) {}

  /** changes whenever the snapshot on disk was deleted by an erasure or purge */
  get generation(): number {
    return this.invalidations;
  }

  get path(): string {
    return join(this.dataDir, INDEX_DIR, 'columns.snap');
  }

  /** JsonlStore's beforeRewrite: deletes the snapshot and holds new ones back until release(). */
  invalidate = async (): Promise<void> => {
    this.holds += 1;
    this.invalidations += 1;
    await this.writing;
    await rm(this.path, { force: true });
  };

  /** The index dropped the records of an erasure or purge: snapshots may be written again. */
  release(): void {
    if (this.holds > 0) this.holds -= 1;
  }

  /**
   * Writes a snapshot of `index` as it is once the store is at rest; resolves with what was
   * written, or null when an erasure or purge is under way (its records may still be in memory).
   */
  write(index: MemoryIndex, source: SnapshotSource): Promise<SnapshotWritten | null> {
    const run = this.writing.then(() => this.writeNow(index, source));
    this.writing = run.catch(() => undefined);
    return run;
  }

  /**
   * Fills an empty `index` from the snapshot and the lines stored after it (records with
   * ts < `to`, like the full load). Resolves null, with the reason logged and the index left
   * empty, when the snapshot is missing or does not fit the files: the caller loads everything.
   */
  async loadInto(
    index: MemoryIndex,
    source: SnapshotSource,
    options: LoadOptions,
  ): Promise<SnapshotLoaded | null> {
    const generation = this.invalidations;
    const started = performance.now();
    const fail = (why: string) => {
      if (index.length > 0) index.adoptColumns(new Columns());
      this.log(`query index: not using the snapshot (${why}); loading every stored event`);
      return null;
    };
    let snap: DecodedSnapshot | null;
    let plan: Tail[] | { reason: string };
    try {
      snap = await this.read(options);
      if (!snap) return null;
      plan = planTails(snap.files, await withTrailers(await source.listFiles(), snap.files));
    } catch (error) {
      return fail(error instanceof SnapshotError ? error.message : `unreadable: ${(error as Error).message}`);
    }
    if ('reason' in plan) return fail(plan.reason);
    options.progress?.(0.4);
    await nextTurn();
    keepBefore(snap.columns, options.to);
    index.adoptColumns(snap.columns);
    options.progress?.(0.8);
    await nextTurn();

    let tail: StoredRecord[];
    let unreadable: number;
    try {
      ({ records: tail, unreadable } = await readTails(plan, options.to, nextTurn));
    } catch (error) {
      // A file that vanished or changed under the reader: the full load copes with either.
      return fail(
        error instanceof SnapshotError ? error.message : `reading on failed: ${(error as Error).message}`,
      );
    }
    if (generation !== this.invalidations) return fail('an erasure or purge began meanwhile');
    index.append(tail);
    index.ready();
    if (unreadable > 0) this.log(`query index: ${unreadable} unreadable stored line(s) skipped`);
    return {
      snapshotRows: snap.rows,
      tailRows: tail.length,
      tailFiles: plan.length,
      ms: Math.round(performance.now() - started),
    };
  }

  /** The decoded snapshot, or null when there is none (first start, or deleted by an erasure). */
  private async read(options: LoadOptions): Promise<DecodedSnapshot | null> {
    let buf: Buffer;
    try {
      buf = await readFile(this.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    options.progress?.(0.2);
    return decodeSnapshot(buf);
  }

  private async writeNow(index: MemoryIndex, source: SnapshotSource): Promise<SnapshotWritten | null> {
    const generation = this.invalidations;
    const started = performance.now();
    // Inside the pause only a view is taken (references, no copy), so appends wait for the file
    // listing alone; the encoding below reads rows that never change in place.
    const taken = await source.atRest((files) => {
      if (this.holds > 0 || generation !== this.invalidations) return null;
      index.ready();
      return { view: viewColumns(index.cols), files, version: index.version };
    });
    if (!taken) return null;
    const pausedMs = performance.now() - started;
    const encodeStarted = performance.now();
    // Encoding yields between columns; the longest stretch between yields is how long the event
    // loop (ingestion, queries) is blocked.
    let stretch = performance.now();
    let blockedMs = 0;
    const pause = async () => {
      blockedMs = Math.max(blockedMs, performance.now() - stretch);
      await nextTurn();
      stretch = performance.now();
    };
    const marks: FileMark[] = taken.files.map(({ day, kind, compressed, size, ino }) => ({
      day,
      kind,
      compressed,
      size,
      ino,
    }));
    const chunks = await encodeSnapshot(taken.view, marks, this.clock(), pause);
    blockedMs = Math.max(blockedMs, performance.now() - stretch);
    const encodeMs = performance.now() - encodeStarted;
    const bytes = chunks.reduce((sum, c) => sum + c.length, 0);
    const written = await writeAtomically(this.path, chunks, () => generation === this.invalidations);
    if (!written) return null;
    return {
      rows: taken.view.rows,
      version: taken.version,
      bytes,
      pausedMs: Math.round(pausedMs),
      encodeMs: Math.round(encodeMs),
      blockedMs: Math.round(blockedMs),
      totalMs: Math.round(performance.now() - started),
    };
  }
}

/** What a snapshot needs from the store: JsonlStore. */
export interface SnapshotSource {
  listFiles(): Promise<StoredFile[]>;
  atRest<T>(fn: (files: StoredFile[]) => T): Promise<T>;
}

export interface LoadOptions {
  /** records at or after this time are left out, as the full load leaves them out */
  to: number;
  progress?: (fraction: number) => void;
}

export interface SnapshotLoaded {
  snapshotRows: number;
  tailRows: number;
  tailFiles: number;
  ms: number;
}

export interface SnapshotWritten {
  rows: number;
  /** index.version the snapshot holds */
  version: number;
  bytes: number;
  /** how long appends waited (file listing) */
  pausedMs: number;
  /** encoding, from the first column to the last (it yields between columns) */
  encodeMs: number;
  /** the longest stretch of encoding without a yield: how long the event loop was blocked */
  blockedMs: number;
  totalMs: number;
}

/** Drops the rows at or after `to` (after a clock step back), as the full load leaves them out. */
function keepBefore(cols: Columns, to: number): void {
  let n = cols.length;
  while (n > 0 && cols.ts.data[n - 1]! >= to) n--;
  if (n === cols.length) return;
  cols.ts.length = n;
  for (const f of DICT_FIELDS) cols.dict[f].length = n;
  for (const f of INT_FIELDS) cols.ints[f].length = n;
  cols.props.length = n;
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
