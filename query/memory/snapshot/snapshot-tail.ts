import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { lineBatches } from '../../../storage/line-reader.ts';
import { parseRecordLine, type StoredRecord } from '../../../storage/schema.ts';
import { SnapshotError } from './snapshot-format.ts';
import type { Tail } from './snapshot-watermark.ts';

const NEWLINE = 0x0a;

/**
 * The complete lines of a day file after its first `skip` uncompressed bytes, a chunk at a time
 * (split by storage/line-reader.ts's lineBatches). Throws
 * SnapshotError when the file is shorter than `skip` or byte skip − 1 is not a newline: then the
 * snapshot's watermark does not describe this file. A plain file gzipped between listing and
 * opening is read from its .gz, which holds the same bytes.
 */
export async function* tailLines(tail: Tail): AsyncGenerator<string[]> {
  const { file, skip } = tail;
  let compressed = file.compressed;
  let handle = await open(file.path, 'r').catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT' || compressed) throw error;
    return null;
  });
  if (!handle) {
    compressed = true;
    handle = await open(`${file.path}.gz`, 'r');
  }
  try {
    let stream: Readable;
    let toSkip = skip;
    if (compressed) {
      const raw = handle.createReadStream({ highWaterMark: 1 << 20, autoClose: false });
      stream = raw.pipe(createGunzip());
      raw.on('error', (error) => stream.destroy(error));
    } else {
      if (skip > 0) {
        const probe = Buffer.alloc(1);
        const { bytesRead } = await handle.read(probe, 0, 1, skip - 1);
        if (bytesRead !== 1 || probe[0] !== NEWLINE) throw misfit(tail);
      }
      stream = handle.createReadStream({ start: skip, highWaterMark: 1 << 20, autoClose: false });
      toSkip = 0;
    }
    yield* lineBatches(toSkip > 0 ? afterSkip(stream as AsyncIterable<Buffer>, toSkip, tail) : stream);
  } finally {
    await handle.close();
  }
}

/**
 * The bytes of `chunks` after the first `skip`, which must end with a newline (a gzipped day is
 * decompressed from its start, so the included bytes are skipped here, not by offset).
 */
async function* afterSkip(chunks: AsyncIterable<Buffer>, skip: number, tail: Tail): AsyncGenerator<Buffer> {
  let toSkip = skip;
  for await (const chunk of chunks) {
    if (toSkip === 0) {
      yield chunk;
      continue;
    }
    if (chunk.length < toSkip) {
      toSkip -= chunk.length;
      continue;
    }
    if (chunk[toSkip - 1] !== NEWLINE) throw misfit(tail);
    yield chunk.subarray(toSkip);
    toSkip = 0;
  }
  if (toSkip > 0) throw misfit(tail);
}

function misfit(tail: Tail): SnapshotError {
  return new SnapshotError(
    `${tail.file.day}/${tail.file.kind} does not match the snapshot at byte ${tail.skip}`,
  );
}

/**
 * The records of every tail with ts < `to`, sorted by time (stable: ties keep file order, as the
 * full load's sort does), and how many lines did not parse. `pause` is awaited after each chunk.
 */
export async function readTails(
  tails: readonly Tail[],
  to: number,
  pause: () => Promise<void>,
): Promise<{ records: StoredRecord[]; unreadable: number }> {
  const records: StoredRecord[] = [];
  let unreadable = 0;
  for (const tail of tails) {
    for await (const lines of tailLines(tail)) {
      for (const line of lines) {
        const record = parseRecordLine(line);
        if (!record) unreadable += 1;
        else if (record.ts < to) records.push(record);
      }
      await pause();
    }
  }
  return { records: records.sort((a, b) => a.ts - b.ts), unreadable };
}
