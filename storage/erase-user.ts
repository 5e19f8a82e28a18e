import { readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DAY_PATTERN, dayDir, eventsDir, quarantineDir } from './day-files.ts';
import { rewriteWithout } from './rewrite-file.ts';
import { parseRecordLine } from './schema.ts';
import { isUnreadableFile, UNREADABLE_SUFFIX } from './unreadable-files.ts';

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

/** Sets an unreadable day file aside (see unreadable-files.ts); called inside the guard for plain files. */
export type SetAsideHook = (path: string) => Promise<void>;

/**
 * Erases every record of `userId` from the JSON Lines data dir by rewriting each affected day
 * file atomically (gzipped days stay gzipped), and deletes quarantined fragments that name the user.
 * Resolves with the number of records removed from the day files. Costs one read of every day file;
 * only files holding the user are written. A day file that cannot be read to its end does not stop
 * it: the file is set aside with `setAside` and the user's lines are erased from what could be
 * read; the set-aside original is what the caller reports as skipped (JsonlStore.unreadableFiles).
 */
export async function eraseUserFiles(
  dataDir: string,
  userId: string,
  guard: PlainFileGuard,
  setAside: SetAsideHook,
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
      const erase = () => eraseOrSetAside(path, matches, setAside);
      if (name.endsWith('.jsonl.gz')) erased += await erase();
      else if (name.endsWith('.jsonl')) erased += await guard(path, erase);
    }
  }
  // Quarantined fragments are small, unparseable and kept only for a human to look at: one that
  // names the user is deleted whole.
  const needle = `"user":${JSON.stringify(userId)}`;
  const quarantine = await readdir(quarantineDir(dataDir)).catch(() => [] as string[]);
  for (const name of quarantine) {
    // Unreadable day files set aside cannot be searched; the caller reports them instead.
    if (name.endsWith(UNREADABLE_SUFFIX)) continue;
    const path = join(quarantineDir(dataDir), name);
    if ((await readFile(path, 'utf8').catch(() => '')).includes(needle)) await rm(path, { force: true });
  }
  return erased;
}

async function eraseOrSetAside(
  path: string,
  matches: (line: string) => boolean,
  setAside: SetAsideHook,
): Promise<number> {
  try {
    return await rewriteWithout(path, matches);
  } catch (error) {
    // An error about another path (the temporary file) is the disk's, not this file's.
    const about = (error as NodeJS.ErrnoException).path;
    if (!isUnreadableFile(error) || (about !== undefined && about !== path)) throw error;
    await setAside(path);
    // What could be read is back in place (or nothing is, when no line could be read).
    return rewriteWithout(path, matches).catch((again: NodeJS.ErrnoException) => {
      if (again.code === 'ENOENT') return 0;
      throw again;
    });
  }
}
