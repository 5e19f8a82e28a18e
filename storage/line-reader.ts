import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';

const MAX_LINE = 4 << 20;

/**
 * Yields the complete lines of a JSON Lines file, plain or gzipped. A last line without its
 * newline is held back: it is either torn by a crash or still being appended by the writer, and
 * in neither case a record anyone acknowledged.
 */
export async function* readLines(path: string): AsyncGenerator<string> {
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  const stream: Readable = path.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  if (stream !== raw) raw.on('error', (error) => stream.destroy(error));
  let rest = '';
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const text = rest + chunk.toString('utf8');
    let start = 0;
    let end = text.indexOf('\n', start);
    while (end !== -1) {
      if (end > start) yield text.slice(start, end);
      start = end + 1;
      end = text.indexOf('\n', start);
    }
    rest = text.slice(start);
    // No record is anywhere near this long: what follows is not JSON Lines (a device file, a
    // binary written over the day file), so reading on would only grow `rest` without end.
    if (rest.length > MAX_LINE) {
      stream.destroy();
      return;
    }
  }
}
