import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DAY_PATTERN, dayDir, dayEnd, dayStart, eventsDir } from '../storage/day-files.ts';
import { readLines } from '../storage/line-reader.ts';
import { RECORD_KINDS, parseRecordLine, type RecordKind, type StoredRecord } from '../storage/schema.ts';
import type { TimeRange } from '../storage/types.ts';
import { isUnreadableFile } from '../storage/unreadable-files.ts';

/**
 * Read-only access to a JSON Lines data dir for the CLI. It never repairs or rewrites anything
 * (JsonlStore.open would cut torn tails), so it is safe while a collector is appending: a line
 * still being written has no newline yet and is simply not read.
 */

/** Day folders (YYYY-MM-DD) overlapping the range, oldest first. */
export async function listDays(dataDir: string, range: TimeRange = {}): Promise<string[]> {
  const names = await readdir(eventsDir(dataDir)).catch(() => [] as string[]);
  const from = range.from ?? -Infinity;
  const to = range.to ?? Infinity;
  return names.filter((d) => DAY_PATTERN.test(d) && dayEnd(d) > from && dayStart(d) < to).sort();
}

export interface DayFile {
  kind: RecordKind;
  path: string;
  bytes: number;
  compressed: boolean;
}

/** The file holding each kind of a day: the .gz once compressed, else the plain file. */
export async function dayFiles(dataDir: string, day: string): Promise<DayFile[]> {
  const dir = dayDir(dataDir, day);
  const names = await readdir(dir).catch(() => [] as string[]);
  const files: DayFile[] = [];
  for (const kind of RECORD_KINDS) {
    const name = names.includes(`${kind}.jsonl.gz`) ? `${kind}.jsonl.gz` : `${kind}.jsonl`;
    if (!names.includes(name)) continue;
    const info = await stat(join(dir, name)).catch(() => null);
    if (info) files.push({ kind, path: join(dir, name), bytes: info.size, compressed: name.endsWith('.gz') });
  }
  return files;
}

export interface ReadCounters {
  /** lines that did not parse as records (skipped) */
  corrupt: number;
  /** files that could not be read to their end (their readable lines were read) */
  unreadable?: string[];
}

/** Streams the records in the range, day by day and kind by kind (each file in append order). */
export async function* readRecords(
  dataDir: string,
  range: TimeRange = {},
  counters: ReadCounters = { corrupt: 0 },
): AsyncGenerator<StoredRecord> {
  const from = range.from ?? -Infinity;
  const to = range.to ?? Infinity;
  for (const day of await listDays(dataDir, range)) {
    for (const file of await dayFiles(dataDir, day)) {
      for await (const line of readFileLines(file.path, dataDir, day, file.kind, counters)) {
        const record = parseRecordLine(line);
        if (!record) counters.corrupt += 1;
        else if (record.ts >= from && record.ts < to) yield record;
      }
    }
  }
}

/** Lines of a file; if compression replaced the plain file meanwhile, the .gz is read instead. */
async function* readAnyLines(
  path: string,
  dataDir: string,
  day: string,
  kind: RecordKind,
): AsyncGenerator<string> {
  try {
    yield* readLines(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || path.endsWith('.gz')) throw error;
    yield* readLines(join(dayDir(dataDir, day), `${kind}.jsonl.gz`));
  }
}

/**
 * The lines of a file; one that cannot be read to its end (a truncated or corrupt .gz, a
 * directory in its place) ends after its readable lines and is noted in `unreadable`, and the
 * reader carries on with the next file. The CLI never moves it (the collector sets it aside).
 */
async function* readFileLines(
  path: string,
  dataDir: string,
  day: string,
  kind: RecordKind,
  counters: ReadCounters,
): AsyncGenerator<string> {
  try {
    yield* readAnyLines(path, dataDir, day, kind);
  } catch (error) {
    if (!isUnreadableFile(error)) throw error;
    (counters.unreadable ??= []).push(path);
  }
}

/** Says which files a command could not read to their end, on stderr. */
export function reportUnreadable(counters: ReadCounters): void {
  const files = counters.unreadable ?? [];
  if (files.length === 0) return;
  console.error(`Skipped the unreadable rest of ${files.length} file(s) (truncated or corrupt):`);
  for (const file of files) console.error(`  ${file}`);
}
