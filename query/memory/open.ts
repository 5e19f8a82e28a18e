import { JsonlStore } from '../../storage/jsonl-store.ts';
import type { Clock } from '../../storage/types.ts';
import type { QueryBudget } from '../budget.ts';
import { MemoryBackend } from './backend.ts';
import { IndexSnapshots } from './snapshot/snapshot.ts';
import { SnapshotSchedule } from './snapshot/snapshot-schedule.ts';

/** How often a fresh snapshot is considered while the process runs (SnapshotSchedule). */
const SNAPSHOT_EVERY_MS = 10 * 60_000;

export interface OpenMemoryBackendOptions {
  dataDir: string;
  clock: Clock;
  /** rows between snapshots (ANALYTICS_SNAPSHOT_ROWS); 0 writes and reads none */
  snapshotRows: number;
  budget?: QueryBudget;
  /** the schedule's log lines; default console.log */
  log?: (line: string) => void;
}

export interface OpenedMemoryBackend {
  store: JsonlStore;
  backend: MemoryBackend;
  /** null when snapshotRows is 0 */
  snapshots: IndexSnapshots | null;
  /** Closes the store, then writes the last snapshot (which then holds every stored record). */
  close(): Promise<void>;
}

/**
 * The JSON Lines store and the in-memory index over it, started from a snapshot of its columns
 * when one fits the files (snapshot/snapshot.ts). The collector and the library both start here,
 * so the index starts the same way in both. The caller loads the history (`backend.load(store)`)
 * when it is ready to spend the CPU.
 */
export async function openMemoryBackend(options: OpenMemoryBackendOptions): Promise<OpenedMemoryBackend> {
  const { dataDir, clock, snapshotRows } = options;
  // Erasure and purges delete the snapshot before changing a file, so it never brings rows back.
  const snapshots = snapshotRows > 0 ? new IndexSnapshots(dataDir, clock) : null;
  const store = await JsonlStore.open({ dataDir, clock, beforeRewrite: snapshots?.invalidate });
  const schedule = snapshots
    ? new SnapshotSchedule({
        snapshots,
        source: store,
        clock,
        rows: snapshotRows,
        everyMs: SNAPSHOT_EVERY_MS,
        log: options.log,
      })
    : null;
  const backend = new MemoryBackend(clock, schedule?.warmStart, options.budget);
  schedule?.start(backend);
  return {
    store,
    backend,
    snapshots,
    async close() {
      await store.close();
      await schedule?.close();
    },
  };
}
