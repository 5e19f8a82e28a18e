import type { Clock } from '../../../storage/types.ts';
import type { MemoryBackend } from '../backend.ts';
import type { MemoryIndex } from '../index.ts';
import type { IndexSnapshots, SnapshotSource, SnapshotWritten } from './snapshot.ts';

export interface SnapshotScheduleOptions {
  snapshots: IndexSnapshots;
  source: SnapshotSource;
  clock: Clock;
  /** write once this many rows arrived since the last snapshot */
  rows: number;
  /** …or once this long passed with anything new */
  everyMs: number;
  /** how often the two conditions are checked */
  checkMs?: number;
  log?: (line: string) => void;
}

/**
 * When snapshots are written: soon after a load that did not come from one, in the background
 * once `rows` new rows arrived or `everyMs` passed with new rows, and at a graceful close. A
 * background write pauses appends only for a file listing and blocks the event loop only while
 * encoding (see SnapshotWritten); both are logged.
 */
export class SnapshotSchedule {
  private backend: MemoryBackend | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<SnapshotWritten | null> | null = null;
  /** rows, index version, time and snapshot generation of what is on disk; rows −1: nothing */
  private lastRows = -1;
  private lastVersion = -1;
  private lastAt = 0;
  private lastGeneration = -1;

  constructor(private readonly options: SnapshotScheduleOptions) {}

  /** MemoryBackend's warmStart: the index from the snapshot and what was stored after it. */
  warmStart = async (index: MemoryIndex, to: number, progress: (p: number) => void): Promise<boolean> => {
    const generation = this.options.snapshots.generation;
    const loaded = await this.options.snapshots.loadInto(index, this.options.source, { to, progress });
    if (!loaded) return false;
    this.lastRows = loaded.snapshotRows;
    this.lastVersion = loaded.tailRows === 0 ? index.version : -1;
    this.lastAt = this.options.clock();
    this.lastGeneration = generation;
    this.log(
      `query index: ${loaded.snapshotRows} rows from the snapshot and ${loaded.tailRows} stored after it (${loaded.tailFiles} file(s) read) in ${loaded.ms} ms`,
    );
    return true;
  };

  /** Starts the background checks for `backend`. */
  start(backend: MemoryBackend): void {
    this.backend = backend;
    this.timer = setInterval(() => void this.tick(), this.options.checkMs ?? 10_000);
    this.timer.unref();
  }

  /** Writes a snapshot if one is due; resolves with what was written (null: nothing). */
  tick(): Promise<SnapshotWritten | null> {
    this.running ??= this.writeIf((index) => this.due(index), true).finally(() => (this.running = null));
    return this.running;
  }

  /** Stops the checks and writes a last snapshot when the index holds anything the disk one lacks. */
  async close(): Promise<SnapshotWritten | null> {
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
    return this.writeIf((index) => this.changed(index), false);
  }

  private async writeIf(
    due: (index: MemoryIndex) => boolean,
    logIt: boolean,
  ): Promise<SnapshotWritten | null> {
    const backend = this.backend;
    if (!backend || !backend.status().ready || !due(backend.index)) return null;
    const generation = this.options.snapshots.generation;
    try {
      const written = await this.options.snapshots.write(backend.index, this.options.source);
      if (!written) return null;
      this.lastRows = written.rows;
      this.lastVersion = written.version;
      this.lastAt = this.options.clock();
      this.lastGeneration = generation;
      if (logIt)
        this.log(
          `query index: snapshot of ${written.rows} rows written, ${(written.bytes / 2 ** 20).toFixed(1)} MB in ${written.totalMs} ms (appends paused ${written.pausedMs} ms, event loop blocked ≤ ${written.blockedMs} ms)`,
        );
      return written;
    } catch (error) {
      this.log(`query index: writing the snapshot failed: ${(error as Error).message}`);
      return null;
    }
  }

  private changed(index: MemoryIndex): boolean {
    return index.version !== this.lastVersion || this.options.snapshots.generation !== this.lastGeneration;
  }

  private due(index: MemoryIndex): boolean {
    if (!this.changed(index)) return false;
    if (this.lastRows < 0 || this.options.snapshots.generation !== this.lastGeneration) return true;
    return (
      index.length - this.lastRows >= this.options.rows ||
      this.options.clock() - this.lastAt >= this.options.everyMs
    );
  }

  private log(line: string): void {
    (this.options.log ?? console.log)(line);
  }
}
