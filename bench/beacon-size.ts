import { execFileSync, spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ROOT } from './lib/child-server.ts';

export interface BeaconFigures {
  minified_bytes: number;
  gzip_bytes: number;
  /** 'gzip -9n' when the gzip program ran, else Node's zlib at level 9 (within a few bytes) */
  gzip_tool: string;
}

/** Builds dist/ as `npm start` does and measures dist/beacon.js. */
export async function beaconSize(): Promise<BeaconFigures> {
  execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, stdio: 'inherit' });
  const path = join(ROOT, 'dist', 'beacon.js');
  const source = await readFile(path);
  const gzip = spawnSync('gzip', ['-9n', '-c', path], { maxBuffer: 1 << 24 });
  if (gzip.status === 0 && gzip.stdout.length > 0) {
    return { minified_bytes: source.length, gzip_bytes: gzip.stdout.length, gzip_tool: 'gzip -9n' };
  }
  return {
    minified_bytes: source.length,
    gzip_bytes: gzipSync(source, { level: 9 }).length,
    gzip_tool: 'zlib level 9',
  };
}
