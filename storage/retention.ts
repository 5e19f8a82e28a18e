import { readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DAY_PATTERN, eventsDir, quarantineDir, utcDay } from './day-files.ts';
import { fsyncPath } from './rewrite-file.ts';

const DAY_MS = 86_400_000;
const DOOMED = '.purge-';

/**
 * The oldest UTC day that retention keeps. With 30 days, on 2026-11-27 that is 2026-10-28: today
 * and the 30 whole days before it stay, so no record younger than `retentionDays` is ever removed.
 */
export function retentionCutoff(now: number, retentionDays: number): string {
  return utcDay(now - retentionDays * DAY_MS);
}

/**
 * Deletes the day folders before `firstKeptDay`, and quarantined fragments of those days. A folder
 * is first renamed out of the day namespace (atomic, and readers skip the name) and only then
 * removed, so a crash midway never leaves half a day that still looks like data; leftovers of
 * such a crash are removed by the next run. `beforeRemove` lets the writer close that day's files.
 * Resolves with the number of days removed.
 */
export async function purgeDaysBefore(
  dataDir: string,
  firstKeptDay: string,
  beforeRemove: (day: string) => Promise<void>,
): Promise<number> {
  const root = eventsDir(dataDir);
  const names = await readdir(root).catch(() => [] as string[]);
  for (const name of names.filter((n) => n.startsWith(DOOMED))) {
    await rm(join(root, name), { recursive: true, force: true });
  }
  let removed = 0;
  for (const day of names.filter((n) => DAY_PATTERN.test(n) && n < firstKeptDay).sort()) {
    await beforeRemove(day);
    const doomed = join(root, `${DOOMED}${day}`);
    await rename(join(root, day), doomed);
    await fsyncPath(root);
    await rm(doomed, { recursive: true, force: true });
    removed += 1;
  }
  // Quarantined lines are named <day>.<file>.<time>.torn and hold records of that day.
  const quarantine = await readdir(quarantineDir(dataDir)).catch(() => [] as string[]);
  for (const name of quarantine) {
    const day = name.slice(0, 10);
    if (DAY_PATTERN.test(day) && day < firstKeptDay)
      await rm(join(quarantineDir(dataDir), name), { force: true });
  }
  return removed;
}
