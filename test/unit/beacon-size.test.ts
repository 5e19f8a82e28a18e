import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');

/** The budget for `gzip -9n dist/beacon.js` (1,376 B on 2026-11-27: not reached yet, see the README). */
const BEACON_BUDGET = 1_280;
/** The hard ceiling: the build fails this test above it. */
const BEACON_CEILING = 1_400;

describe('beacon size', () => {
  it('builds (esbuild, IIFE, ES2020, minified) to exactly the shipped dist/beacon.js, within the ceiling', async () => {
    const result = await build({
      entryPoints: [join(root, 'beacon/index.ts')],
      bundle: true,
      minify: true,
      format: 'iife',
      target: 'es2020',
      legalComments: 'none',
      write: false,
      logLevel: 'silent',
    });
    const code = result.outputFiles[0]!.text;
    expect(code).toBe(await readFile(join(root, 'dist/beacon.js'), 'utf8'));
    const gzipped = gzipSync(code, { level: 9 }).length;
    expect(gzipped).toBeLessThanOrEqual(BEACON_CEILING);
    expect(gzipped).toBeGreaterThan(BEACON_BUDGET / 2); // a broken build (empty bundle) is not a win
  });

  it('leaves the collector-only limits out of the bundle', async () => {
    const code = await readFile(join(root, 'dist/beacon.js'), 'utf8');
    // WIRE_LIMITS and FILE_LINK are the collector's; the beacon imports types only.
    expect(code).not.toContain('maxBodyBytes');
    expect(code).not.toContain('docx');
    expect(code).toContain('sendBeacon');
  });
});
