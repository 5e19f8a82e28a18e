import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PRIVATE_DIR, PRIVATE_FILE } from '../../../storage/day-files.ts';
import { fsyncPath } from '../../../storage/rewrite-file.ts';
import type { StoredFile } from '../../../storage/types.ts';
import type { FileMark } from './snapshot-format.ts';
import type { FoundFile } from './snapshot-watermark.ts';

// The snapshot's file I/O: writing it atomically, and the gzip trailers planTails compares.

/** Temp file, fsync, rename, fsync of the folder; the rename is skipped when `stillValid` says no. */
export async function writeAtomically(
  path: string,
  chunks: Buffer[],
  stillValid: () => boolean,
): Promise<boolean> {
  const dir = join(path, '..');
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR });
  const tmp = `${path}.tmp`;
  try {
    const handle = await open(tmp, 'w', PRIVATE_FILE);
    try {
      for (const chunk of chunks) {
        for (let at = 0; at < chunk.length;) at += (await handle.write(chunk, at)).bytesWritten;
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
  if (!stillValid()) {
    await rm(tmp, { force: true });
    return false;
  }
  await rename(tmp, path);
  await fsyncPath(dir);
  return true;
}

/**
 * Adds the gzip trailer's length to files that were plain in the snapshot and are gzipped now:
 * equal to the bytes the snapshot holds, the file need not be read (see planTails).
 */
export async function withTrailers(files: StoredFile[], marks: readonly FileMark[]): Promise<FoundFile[]> {
  const plain = new Set(marks.filter((m) => !m.compressed).map((m) => `${m.day}/${m.kind}`));
  return Promise.all(
    files.map(async (file): Promise<FoundFile> => {
      if (!file.compressed || !plain.has(`${file.day}/${file.kind}`) || file.size < 18) return file;
      const handle = await open(file.path, 'r').catch(() => null);
      if (!handle) return file;
      try {
        const trailer = Buffer.alloc(4);
        const { bytesRead } = await handle.read(trailer, 0, 4, file.size - 4);
        return bytesRead === 4 ? { ...file, isize: trailer.readUInt32LE(0) } : file;
      } finally {
        await handle.close();
      }
    }),
  );
}
