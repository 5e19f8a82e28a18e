import { open } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { parseRecordLine, type StoredRecord } from '../../schema.ts';
import { SnapshotError } from './snapshot-format.ts';
import type { Tail } from './snapshot-watermark.ts';

const MAX_LINE = 4 << 20;
const NEWLINE = 0x0a;

/**
 * The complete lines of a day file after its first `skip` uncompressed bytes, a chunk at a time
 * (the same splitting as storage/line-reader.ts, which reads whole files only). Throws
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
    const decoder = new StringDecoder('utf8');
    let rest = '';
    for await (let chunk of stream as AsyncIterable<Buffer>) {
      if (toSkip > 0) {
        if (chunk.length < toSkip) {
          toSkip -= chunk.length;
          continue;
        }
        if (chunk[toSkip - 1] !== NEWLINE) throw misfit(tail);
        chunk = chunk.subarray(toSkip);
        toSkip = 0;
      }
      const text = rest + decoder.write(chunk);
      const lines: string[] = [];
      let start = 0;
      let end = text.indexOf('\n', start);
      while (end !== -1) {
        if (end > start) lines.push(text.slice(start, end));
        start = end + 1;
        end = text.indexOf('\n', start);
      }
      rest = text.slice(start);
      if (lines.length > 0) yield lines;
      if (rest.length > MAX_LINE) return;
    }
    if (toSkip > 0) throw misfit(tail);
  } finally {
    await handle.close();
  }
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
