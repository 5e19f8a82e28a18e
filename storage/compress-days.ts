import { createReadStream, createWriteStream } from 'node:fs';
import { open, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { DAY_PATTERN, dayEnd, eventsDir, PRIVATE_FILE } from './day-files.ts';

/**
 * A day is closed once it ended this long ago: a batch stamped 23:59:59 may still be in flight
 * for a moment after midnight, and compressing under it would lose its lines.
 */
export const CLOSE_GRACE_MS = 10 * 60 * 1000;

/**
 * Gzips the files of closed days (JSON Lines compress about 8–10×; the seed promises compressed
 * storage). Each file goes to a temporary name, is fsynced, renamed into place and only then is
 * the plain file removed, so a crash at any point leaves a readable copy; readers prefer the .gz
 * when both exist. `beforeCompress` lets the writer close its handles for that day first.
 */
export async function compressClosedDays(
  dataDir: string,
  now: number,
  beforeCompress: (day: string) => Promise<void>,
): Promise<number> {
  let compressed = 0;
  const root = eventsDir(dataDir);
  const days = (await readdir(root).catch(() => [] as string[])).filter((d) => DAY_PATTERN.test(d)).sort();
  for (const day of days) {
    if (dayEnd(day) + CLOSE_GRACE_MS > now) continue;
    const names = await readdir(join(root, day)).catch(() => [] as string[]);
    const plain = names.filter((n) => n.endsWith('.jsonl'));
    if (plain.length === 0) continue;
    await beforeCompress(day);
    for (const name of plain) {
      const source = join(root, day, name);
      const target = `${source}.gz`;
      if (names.includes(`${name}.gz`)) {
        // A crash after the rename left both: the .gz is complete, the plain file is redundant.
        await rm(source, { force: true });
        continue;
      }
      const tmp = `${target}.tmp`;
      await pipeline(
        createReadStream(source),
        createGzip({ level: 6 }),
        createWriteStream(tmp, { mode: PRIVATE_FILE }),
      );
      const handle = await open(tmp, 'r');
      await handle.sync();
      await handle.close();
      await rename(tmp, target);
      await rm(source, { force: true });
      compressed += 1;
    }
  }
  return compressed;
}
