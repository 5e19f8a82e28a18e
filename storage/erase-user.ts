import { readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DAY_PATTERN, dayDir, eventsDir, quarantineDir } from './day-files.ts';
import { rewriteWithout } from './rewrite-file.ts';
import { parseRecordLine } from './schema.ts';

/**
 * Matches the stored lines of one user id. The substring test skips JSON parsing for almost every
 * line; it cannot match inside a string value, where JSON escapes the quotes. A line that holds
 * the id but no longer parses (hand-edited, corrupt) is dropped too: erasure errs towards removing.
 */
export function userLineMatcher(userId: string): (line: string) => boolean {
  const needle = `"user":${JSON.stringify(userId)}`;
  return (line) => {
    if (!line.includes(needle)) return false;
    const record = parseRecordLine(line);
    return record === null || record.user === userId;
  };
}

/**
 * Runs the rewrite of a plain (still appendable) day file while the writer is paused and its
 * handle closed, so no acknowledged append can land in the file being replaced.
 */
export type PlainFileGuard = (path: string, rewrite: () => Promise<number>) => Promise<number>;

/**
 * Erases every record of `userId` from the JSON Lines data dir by rewriting each affected day
 * file atomically (gzipped days stay gzipped), and deletes quarantined fragments that name the user.
 * Resolves with the number of records removed from the day files. Costs one read of every day file;
 * only files holding the user are written.
 */
export async function eraseUserFiles(
  dataDir: string,
  userId: string,
  guard: PlainFileGuard,
): Promise<number> {
  if (!userId) throw new Error('eraseUser needs a non-empty user id');
  const matches = userLineMatcher(userId);
  let erased = 0;
  const days = (await readdir(eventsDir(dataDir)).catch(() => [] as string[]))
    .filter((d) => DAY_PATTERN.test(d))
    .sort();
  for (const day of days) {
    const names = await readdir(dayDir(dataDir, day)).catch(() => [] as string[]);
    for (const name of names.sort()) {
      const path = join(dayDir(dataDir, day), name);
      if (name.endsWith('.jsonl.gz')) erased += await rewriteWithout(path, matches);
      else if (name.endsWith('.jsonl')) erased += await guard(path, () => rewriteWithout(path, matches));
    }
  }
  // Quarantined fragments are small, unparseable and kept only for a human to look at: one that
  // names the user is deleted whole.
  const needle = `"user":${JSON.stringify(userId)}`;
  const quarantine = await readdir(quarantineDir(dataDir)).catch(() => [] as string[]);
  for (const name of quarantine) {
    const path = join(quarantineDir(dataDir), name);
    if ((await readFile(path, 'utf8').catch(() => '')).includes(needle)) await rm(path, { force: true });
  }
  return erased;
}
