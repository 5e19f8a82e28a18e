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
  const stream: Readable = path.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  if (stream !== raw) raw.on('error', (error) => stream.destroy(error));
  try {
    yield* lineBatches(stream as AsyncIterable<Buffer>);
  } finally {
    stream.destroy();
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
