import { createWriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { PRIVATE_FILE } from './day-files.ts';
import { readLines } from './line-reader.ts';

/**
 * Removes the lines for which `drop` is true from a JSON Lines file (plain or gzipped) without a
 * moment where a reader or a crash could see half a file: the kept lines go to a temporary file,
 * which is fsynced and renamed over the original, then the directory is fsynced so the rename
 * itself survives a power cut. A file with nothing to drop is left untouched (no write at all).
 * Resolves with the number of lines dropped. The caller makes sure nobody appends meanwhile.
 */
export async function rewriteWithout(path: string, drop: (line: string) => boolean): Promise<number> {
  let matches = 0;
  for await (const line of readLines(path)) if (drop(line)) matches += 1;
  if (matches === 0) return 0;

  const tmp = `${path}.rewrite.tmp`;
  let dropped = 0;
  const out = lineFileWriter(tmp, path.endsWith('.gz'));
  try {
    for await (const line of readLines(path)) {
      if (drop(line)) {
        dropped += 1;
        continue;
      }
      await out.write(line + '\n');
    }
    await out.close();
    await rename(tmp, path);
    await fsyncPath(dirname(path));
  } catch (error) {
    out.destroy();
    await rm(tmp, { force: true });
    throw error;
  }
  return dropped;
}

/**
 * A new file written text by text (gzipped or not), mode 0600, fsynced by close(). A failure to
 * create or write it (a full disk, a folder in its place) rejects the pending write() or close():
 * a stream's unheard 'error' would otherwise crash the process, and its 'drain' never come.
 */
export function lineFileWriter(path: string, gzipped: boolean) {
  const file = createWriteStream(path, { mode: PRIVATE_FILE });
  const gzip = gzipped ? createGzip({ level: 6 }) : null;
  if (gzip) gzip.pipe(file);
  const out: Writable = gzip ?? file;
  const failed = new Promise<never>((_resolve, reject) => {
    file.on('error', reject);
    gzip?.on('error', reject);
  });
  failed.catch(() => undefined);
  return {
    async write(text: string): Promise<void> {
      if (!out.write(text)) await Promise.race([once(out, 'drain'), failed]);
    },
    async close(): Promise<void> {
      out.end();
      await Promise.race([finished(file), failed]);
      await fsyncPath(path);
    },
    /** after a failure: releases the descriptor */
    destroy(): void {
      out.destroy();
      file.destroy();
    },
  };
}

/** fsync of a file or directory by path (a directory fsync makes a rename in it durable). */
export async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
