import type { StoredFile } from '../../../storage/types.ts';
import type { FileMark } from './snapshot-format.ts';

/** A file to read after a snapshot was loaded: its lines after the first `skip` uncompressed bytes. */
export interface Tail {
  file: StoredFile;
  skip: number;
}

/**
 * A stored file as found at start-up; `isize` is the uncompressed length mod 2³² from a gzip
 * trailer, read only for days that were plain when the snapshot was taken and are gzipped now.
 */
export type FoundFile = StoredFile & { isize?: number };

/**
 * Compares a snapshot's watermark with the files on disk now and says what to read on top of
 * the snapshot, or why the snapshot cannot be used. Files only ever grow by appends, or get
 * gzipped whole once their day is closed; anything else (a file that shrank, vanished or was
 * replaced, as erasure and retention do) means the snapshot may hold records that are gone.
 */
export function planTails(
  marks: readonly FileMark[],
  files: readonly FoundFile[],
): Tail[] | { reason: string } {
  const found = new Map(files.map((f) => [`${f.day}/${f.kind}`, f]));
  const seen = new Set<string>();
  const tails: Tail[] = [];
  for (const mark of marks) {
    const key = `${mark.day}/${mark.kind}`;
    const file = found.get(key);
    seen.add(key);
    if (!file) return { reason: `${key} is gone` };
    if (mark.compressed) {
      if (!file.compressed || file.ino !== mark.ino || file.size !== mark.size)
        return { reason: `${key} was rewritten` };
    } else if (!file.compressed) {
      if (file.ino !== mark.ino) return { reason: `${key} was rewritten` };
      if (file.size < mark.size) return { reason: `${key} shrank` };
      if (file.size > mark.size) tails.push({ file, skip: mark.size });
    } else {
      // Compressed since: a trailer length equal to what the snapshot holds means nothing was
      // added before compression, so the file need not be read at all (the common case: the day
      // closed, then the hourly job gzipped it). Otherwise read on from the same offset.
      if (file.isize === undefined) return { reason: `${key} has no readable gzip trailer` };
      if (file.isize === mark.size % 2 ** 32) continue;
      if (mark.size < 2 ** 32 && file.isize < mark.size) return { reason: `${key} shrank` };
      tails.push({ file, skip: mark.size });
    }
  }
  for (const file of files) if (!seen.has(`${file.day}/${file.kind}`)) tails.push({ file, skip: 0 });
  return tails.sort((a, b) => (a.file.day < b.file.day ? -1 : a.file.day > b.file.day ? 1 : 0));
}
