import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { readLineBatches } from './line-reader.ts';
import { PRIVATE_DIR, quarantineDir } from './day-files.ts';
import { fsyncPath, lineFileWriter } from './rewrite-file.ts';

/** Suffix of a day file set aside because it could not be read to its end. */
export const UNREADABLE_SUFFIX = '.unreadable';

/**
 * True for the errors that mean "this file's bytes are bad", not "try again later": a gzip
 * stream that is truncated or not gzip at all (zlib's Z_* codes), a directory where a day file
 * belongs, an I/O error from the disk. Running out of file descriptors or memory is not one of
 * them: setting healthy files aside under load would be far worse than failing the read.
 */
export function isUnreadableFile(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && (code.startsWith('Z_') || code === 'EISDIR' || code === 'EIO');
}

export interface SetAside {
  /** where the unreadable original now is */
  quarantined: string;
  /** complete lines read before the error, written back in its place */
  keptLines: number;
  /** the read error */
  error: string;
}

/**
 * Sets an unreadable day file aside, as a torn line is: the original moves to the quarantine
 * folder (for a human, or a gzip recovery tool) and the complete lines read before the error are
 * written back in its place (gzipped again for a .gz), so every later reader (the index, erasure,
 * export, the CLI) sees a readable file holding exactly what could be read. Resolves null when
 * the file reads fine now (another reader set it aside first) or is gone. The caller makes sure
 * nobody appends to it or rewrites it meanwhile.
 */
export async function setAsideUnreadable(
  dataDir: string,
  path: string,
  now: number,
): Promise<SetAside | null> {
  const tmp = `${path}.salvage.tmp`;
  try {
    // The lines stream into the copy as they are read: a day file can be far bigger than memory.
    // Only a read error may mark the file unreadable: a write error (the copy's disk is full)
    // says nothing about the file and propagates.
    const copy = lineFileWriter(tmp, path.endsWith('.gz'));
    const reader = readLineBatches(path);
    let keptLines = 0;
    let failure: unknown = null;
    try {
      for (;;) {
        let next: IteratorResult<string[]>;
        try {
          next = await reader.next();
        } catch (error) {
          failure = error;
          break;
        }
        if (next.done) break;
        keptLines += next.value.length;
        await copy.write(next.value.join('\n') + '\n');
      }
      await copy.close();
    } catch (error) {
      copy.destroy();
      throw error;
    } finally {
      await reader.return(undefined);
    }
    if (failure === null) return null;
    if ((failure as NodeJS.ErrnoException).code === 'ENOENT') return null;
    if (!isUnreadableFile(failure)) throw failure;
    const day = basename(dirname(path));
    const target = join(quarantineDir(dataDir), `${day}.${basename(path)}.${now}${UNREADABLE_SUFFIX}`);
    await mkdir(quarantineDir(dataDir), { recursive: true, mode: PRIVATE_DIR });
    await rename(path, target);
    if (keptLines > 0) await rename(tmp, path);
    await fsyncPath(dirname(path));
    await fsyncPath(quarantineDir(dataDir));
    return { quarantined: target, keptLines, error: (failure as Error).message };
  } finally {
    await rm(tmp, { force: true });
  }
}

/** The unreadable files set aside in the quarantine folder (each may hold any user's records). */
export async function listSetAside(dataDir: string): Promise<string[]> {
  const names = await readdir(quarantineDir(dataDir)).catch(() => [] as string[]);
  return names.filter((n) => n.endsWith(UNREADABLE_SUFFIX)).sort();
}
