import { appendFile, mkdir, open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DAY_PATTERN, eventsDir, PRIVATE_DIR, PRIVATE_FILE, quarantineDir } from './day-files.ts';

export interface TornTailReport {
  /** files whose last line had no newline */
  files: number;
  /** bytes moved to the quarantine folder */
  bytes: number;
}

const TAIL_PROBE = 64 * 1024;

/**
 * A crash during an append can leave a last line without its newline. Such bytes were never
 * acknowledged, so they are moved to data/quarantine/ (for a human to look at) and the file is cut
 * back to its last complete line. Runs before the writer opens any file; never throws on a bad
 * file, because start-up must not fail over one.
 */
export async function repairTornTails(dataDir: string, now: number): Promise<TornTailReport> {
  const report: TornTailReport = { files: 0, bytes: 0 };
  const root = eventsDir(dataDir);
  const days = await readdir(root).catch(() => [] as string[]);
  for (const day of days.filter((d) => DAY_PATTERN.test(d))) {
    const names = await readdir(join(root, day)).catch(() => [] as string[]);
    for (const name of names.filter((n) => n.endsWith('.jsonl'))) {
      const path = join(root, day, name);
      try {
        const cut = await cutTornTail(path);
        if (!cut) continue;
        await mkdir(quarantineDir(dataDir), { recursive: true, mode: PRIVATE_DIR });
        await appendFile(join(quarantineDir(dataDir), `${day}.${name}.${now}.torn`), cut, {
          mode: PRIVATE_FILE,
        });
        report.files += 1;
        report.bytes += cut.length;
      } catch (error) {
        console.error(`storage: could not check ${path} for a torn line: ${(error as Error).message}`);
      }
    }
  }
  return report;
}

/** Returns the torn bytes it removed, or null when the file ends cleanly. */
async function cutTornTail(path: string): Promise<Buffer | null> {
  const handle = await open(path, 'r+');
  try {
    const { size } = await handle.stat();
    if (size === 0) return null;
    let searchEnd = size;
    while (searchEnd > 0) {
      const start = Math.max(0, searchEnd - TAIL_PROBE);
      const buf = Buffer.alloc(searchEnd - start);
      await handle.read(buf, 0, buf.length, start);
      if (searchEnd === size && buf[buf.length - 1] === 0x0a) return null;
      const nl = buf.lastIndexOf(0x0a);
      if (nl !== -1) return await cutAt(handle, start + nl + 1, size);
      searchEnd = start;
    }
    return await cutAt(handle, 0, size);
  } finally {
    await handle.close();
  }
}

async function cutAt(handle: Awaited<ReturnType<typeof open>>, keep: number, size: number): Promise<Buffer> {
  const torn = Buffer.alloc(size - keep);
  await handle.read(torn, 0, torn.length, keep);
  await handle.truncate(keep);
  await handle.sync();
  return torn;
}
