import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');

/** The budget for `gzip -9n dist/beacon.js`, not met yet: see the README's size section. */
const BEACON_BUDGET = 1_280;
/**
 * What this test enforces today: the measured size (1,700 B on 2026-11-27) plus a little room.
 * The hard ceiling is 1,400 B; reaching it needs features cut (see README), so until
 * that is decided the test stops the beacon from growing instead.
 */
const BEACON_CEILING = 1_750;

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
    // WIRE_LIMITS is the validator's; the beacon inlines only MAX_BATCH and FILE_LINK.
    expect(code).not.toContain('maxBodyBytes');
    expect(code).toContain('sendBeacon');
  });
});
