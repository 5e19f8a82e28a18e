import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { readLineBatches } from './line-reader.ts';
import { PRIVATE_DIR, PRIVATE_FILE, quarantineDir } from './day-files.ts';
import { fsyncPath } from './rewrite-file.ts';

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
    const copy = lineWriter(tmp, path.endsWith('.gz'));
    let keptLines = 0;
    let failure: unknown = null;
    try {
      for await (const lines of readLineBatches(path)) {
        keptLines += lines.length;
        await copy.write(lines);
      }
    } catch (error) {
      failure = error;
    }
    await copy.close();
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

/** A file written line batch by line batch (gzipped or not), fsynced on close. */
function lineWriter(path: string, gzipped: boolean) {
  const file = createWriteStream(path, { mode: PRIVATE_FILE });
  const gzip = gzipped ? createGzip({ level: 6 }) : null;
  if (gzip) gzip.pipe(file);
  const out: Writable = gzip ?? file;
  // Errors (a full disk) surface through finished() in close(); unheard they would crash.
  file.on('error', () => undefined);
  gzip?.on('error', () => undefined);
  return {
    async write(lines: readonly string[]): Promise<void> {
      if (!out.write(lines.join('\n') + '\n')) await once(out, 'drain');
    },
    async close(): Promise<void> {
      out.end();
      await finished(file);
      await fsyncPath(path);
    },
  };
}
