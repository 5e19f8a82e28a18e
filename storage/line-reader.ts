import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';

const MAX_LINE = 4 << 20;

/**
 * Yields the complete lines of a JSON Lines file, plain or gzipped, a chunk's worth at a time
 * (one await per megabyte rather than per line: loading a million records spends seconds less
 * in async iteration). A last line without its newline is held back: it is either torn by a
 * crash or still being appended by the writer, and in neither case a record anyone acknowledged.
 */
export async function* readLineBatches(path: string): AsyncGenerator<string[]> {
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  try {
    yield* lineBatches(path.endsWith('.gz') ? gunzipped(raw) : (raw as AsyncIterable<Buffer>));
  } finally {
    raw.destroy();
  }
}

/**
 * The decompressed chunks of a gzip byte stream, every one zlib produced before an error thrown
 * after them. A Readable's own async iterator throws as soon as the stream errors and drops what
 * it had buffered, so a truncated .gz would yield a different number of lines from one read to
 * the next (depending on how fast the reader was), and readers could not agree on what the file
 * holds (the index, the copy set aside in its place, an export).
 */
export async function* gunzipped(raw: Readable): AsyncGenerator<Buffer> {
  const gunzip = createGunzip();
  const ready: Buffer[] = [];
  let failure: Error | null = null;
  let ended = false;
  let wake: (() => void) | null = null;
  const notify = () => {
    wake?.();
    wake = null;
  };
  gunzip.on('data', (chunk: Buffer) => {
    ready.push(chunk);
    if (ready.length >= 16) gunzip.pause();
    notify();
  });
  gunzip.on('error', (error) => {
    failure = error;
    notify();
  });
  gunzip.on('end', () => {
    ended = true;
    notify();
  });
  raw.on('error', (error) => gunzip.destroy(error));
  raw.pipe(gunzip);
  try {
    for (;;) {
      const chunk = ready.shift();
      if (chunk) {
        if (ready.length === 0 && !failure) gunzip.resume();
        yield chunk;
        continue;
      }
      if (failure) throw failure;
      if (ended) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    gunzip.destroy();
  }
}

/**
 * The complete lines of a byte stream, one batch per chunk; a last line without its newline is
 * held back (see readLineBatches). Stops at a "line" longer than any record (4 MiB): what follows
 * is not JSON Lines (a device file, a binary written over the day file), and reading on would
 * only grow the held-back text without end.
 */
export async function* lineBatches(chunks: AsyncIterable<Buffer>): AsyncGenerator<string[]> {
  // A chunk can end inside a multi-byte character (ü, 日); the decoder carries it to the next.
  const decoder = new StringDecoder('utf8');
  let rest = '';
  for await (const chunk of chunks) {
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
}

/** The lines of a JSON Lines file one by one; see readLineBatches. */
export async function* readLines(path: string): AsyncGenerator<string> {
  for await (const lines of readLineBatches(path)) yield* lines;
}
