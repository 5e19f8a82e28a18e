import { createReadStream } from 'node:fs';
import { RECORD_KINDS, type RecordKind } from '../storage/schema.ts';
import { dayFiles } from './read-events.ts';
import { gunzipped } from '../storage/line-reader.ts';
import { isUnreadableFile } from '../storage/unreadable-files.ts';

export interface DayStats {
  day: string;
  /** complete lines per kind (a line still being appended is not counted) */
  counts: Record<RecordKind, number>;
  records: number;
  /** bytes on disk, compressed where the day is gzipped */
  bytes: number;
  compressed: boolean;
  /** files that could not be read to their end: only their readable lines are counted */
  unreadable?: string[];
}

/** Counts one day's records by counting newlines: no JSON parsing, about 1 GB/s on plain files. */
export async function countDay(dataDir: string, day: string): Promise<DayStats> {
  const counts = Object.fromEntries(RECORD_KINDS.map((k) => [k, 0])) as Record<RecordKind, number>;
  let bytes = 0;
  let compressed = false;
  const unreadable: string[] = [];
  for (const file of await dayFiles(dataDir, day)) {
    const { lines, failed } = await countLines(file.path);
    counts[file.kind] = lines;
    if (failed) unreadable.push(file.path);
    bytes += file.bytes;
    compressed ||= file.compressed;
  }
  const records = RECORD_KINDS.reduce((s, k) => s + counts[k], 0);
  return { day, counts, records, bytes, compressed, ...(unreadable.length > 0 && { unreadable }) };
}

/** Newlines up to the end, or up to where a truncated or corrupt file stops being readable. */
async function countLines(path: string): Promise<{ lines: number; failed: boolean }> {
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  const stream: AsyncIterable<Buffer> = path.endsWith('.gz') ? gunzipped(raw) : raw;
  let lines = 0;
  try {
    for await (const chunk of stream) {
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines += 1;
    }
  } catch (error) {
    if (!isUnreadableFile(error)) throw error;
    return { lines, failed: true };
  } finally {
    raw.destroy();
  }
  return { lines, failed: false };
}
