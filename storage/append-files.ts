import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PRIVATE_DIR, PRIVATE_FILE } from './day-files.ts';

interface OpenFile {
  handle: FileHandle;
  size: number;
}

/**
 * Appends bytes to files and fsyncs them, keeping handles open between batches (an open+close per
 * batch would double the syscalls on the ingest path). A failed write is rolled back to the
 * file's previous length so a half-written batch never leaves a torn line in the middle of a file.
 */
export class AppendFiles {
  private files = new Map<string, OpenFile>();

  async appendAll(chunks: Map<string, string>): Promise<void> {
    const touched: { file: OpenFile; before: number }[] = [];
    try {
      for (const [path, text] of chunks) {
        const file = await this.get(path);
        touched.push({ file, before: file.size });
        const bytes = Buffer.from(text, 'utf8');
        let offset = 0;
        while (offset < bytes.length) {
          const { bytesWritten } = await file.handle.write(bytes, offset, bytes.length - offset, null);
          offset += bytesWritten;
        }
        file.size += bytes.length;
      }
      await Promise.all(touched.map(({ file }) => file.handle.sync()));
    } catch (error) {
      // The whole batch is refused, so callers will retry all of it: lines that did reach some
      // files would be stored twice, and a partial line would tear the file. Cut every file back.
      for (const { file, before } of touched) {
        await file.handle.truncate(before).catch(() => undefined);
        file.size = before;
      }
      // An fsync error means the kernel may have dropped pages: reopen so the next batch starts
      // from what is really on disk.
      await this.closeAll();
      throw error;
    }
  }

  /** Closes handles of files whose path satisfies `match` (a closed day about to be compressed). */
  async closeWhere(match: (path: string) => boolean): Promise<void> {
    for (const [path, file] of this.files) {
      if (!match(path)) continue;
      this.files.delete(path);
      await file.handle.close().catch(() => undefined);
    }
  }

  async closeAll(): Promise<void> {
    await this.closeWhere(() => true);
  }

  private async get(path: string): Promise<OpenFile> {
    const cached = this.files.get(path);
    if (cached) return cached;
    // Private to the collector's user (mode bits are only ever cleared by the umask).
    await mkdir(dirname(path), { recursive: true, mode: PRIVATE_DIR });
    const handle = await open(path, 'a+', PRIVATE_FILE);
    const { size } = await handle.stat();
    const file = { handle, size };
    this.files.set(path, file);
    return file;
  }
}
