import { JsonlStore } from '../storage/jsonl-store.ts';
import type { StoredRecord } from '../storage/schema.ts';
import type { EventStore } from '../storage/types.ts';
import { generate, type GenerateOptions } from './generate.ts';

export interface AppendOptions extends GenerateOptions {
  /** records per append (one write + fsync per day file touched); default 20,000 */
  batchSize?: number;
  /** called after each durable batch */
  onProgress?: (written: number, total: number) => void;
  /** stops between batches: what was appended stays, whole lines only */
  signal?: AbortSignal;
}

export interface WriteOptions extends AppendOptions {
  dataDir: string;
}

export interface WriteResult {
  written: number;
  interrupted: boolean;
}

/**
 * Stores generated traffic in a data dir through the JSON Lines store, in large group-commit
 * batches, so the files are exactly what a collector would have left. Only one batch is in memory
 * at a time. Interrupting (the signal) ends after the current batch, never mid-line.
 */
export async function writeGenerated(options: WriteOptions): Promise<WriteResult> {
  // Compression is left to the collector's background job; running it here would compete for
  // the disk with the bulk write.
  const store = await JsonlStore.open({ dataDir: options.dataDir, compressEveryMs: 0 });
  try {
    return await appendGenerated(store, options);
  } finally {
    await store.close();
  }
}

/** Appends generated traffic to any EventStore (ClickHouse too), batch by batch; leaves it open. */
export async function appendGenerated(store: EventStore, options: AppendOptions): Promise<WriteResult> {
  const batchSize = options.batchSize ?? 20_000;
  let written = 0;
  let batch: StoredRecord[] = [];
  for (const record of generate(options)) {
    batch.push(record);
    if (batch.length < batchSize) continue;
    await store.append(batch);
    written += batch.length;
    batch = [];
    options.onProgress?.(written, options.events);
    if (options.signal?.aborted) return { written, interrupted: true };
  }
  if (batch.length > 0) {
    await store.append(batch);
    written += batch.length;
    options.onProgress?.(written, options.events);
  }
  return { written, interrupted: false };
}
