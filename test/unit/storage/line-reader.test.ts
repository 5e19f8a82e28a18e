import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readLineBatches, readLines } from '../../../storage/line-reader.ts';
import { tempDir } from '../../support/helpers.ts';

async function collect(path: string): Promise<string[]> {
  const out: string[] = [];
  for await (const line of readLines(path)) out.push(line);
  return out;
}

describe('readLines', () => {
  it('keeps a multi-byte character that straddles a 1 MiB read boundary intact', async () => {
    const { dir, cleanup } = await tempDir();
    // 'ü' is two bytes in UTF-8; put its first byte at the last position of the first 1 MiB chunk.
    const filler = 'a'.repeat((1 << 20) - 1);
    const lines = [filler + 'ü', '{"city":"Zürich","path":"/日本"}'];
    const path = join(dir, 'day.jsonl');
    await writeFile(path, lines.join('\n') + '\n');
    expect(await collect(path)).toEqual(lines);
    await cleanup();
  });

  it('reads gzipped files and holds back a last line without its newline', async () => {
    const { dir, cleanup } = await tempDir();
    const path = join(dir, 'day.jsonl.gz');
    await writeFile(path, gzipSync('{"a":1}\n\n{"b":2}\n{"torn'));
    expect(await collect(path)).toEqual(['{"a":1}', '{"b":2}']);
    await cleanup();
  });

  it('yields whole chunks of lines at a time', async () => {
    const { dir, cleanup } = await tempDir();
    const path = join(dir, 'day.jsonl');
    await writeFile(path, Array.from({ length: 1000 }, (_, i) => `{"i":${i}}`).join('\n') + '\n');
    const batches: string[][] = [];
    for await (const batch of readLineBatches(path)) batches.push(batch);
    expect(batches).toHaveLength(1);
    expect(batches[0]).toHaveLength(1000);
    await cleanup();
  });
});
