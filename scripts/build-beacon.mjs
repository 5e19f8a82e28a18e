// The beacon's build, shared by scripts/build.mjs and test/unit/beacon-size.test.ts: esbuild
// bundles and strips the types, oxc (rolldown's minifier) minifies. oxc's output is about 22 B
// smaller gzipped than esbuild's own minifier (it names the parameters of every function alike,
// e, t, n…, which gzip repeats cheaply); see docs/beacon.md.
import { build } from 'esbuild';
import { minifySync } from 'rolldown/utils';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const entry = join(dirname(fileURLToPath(import.meta.url)), '../beacon/index.ts');

/** Returns dist/beacon.js's text: a plain script, ES2020, minified. */
export async function buildBeacon() {
  const bundled = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    // No IIFE wrapper: beacon/index.ts is one try block whose let/const stay inside it, so nothing
    // leaks into the page's globals (the output has no import or export, so it runs as a script).
    format: 'esm',
    target: 'es2020',
    // tsconfig's strict would prefix "use strict" (13 bytes, 8 gzipped); the beacon relies on
    // nothing strict mode changes.
    tsconfigRaw: { compilerOptions: { alwaysStrict: false } },
    logLevel: 'warning',
  });
  const minified = minifySync('beacon.js', bundled.outputFiles[0].text, {
    module: false,
    compress: { target: 'es2020' },
    codegen: { legalComments: 'none' },
  });
  if (minified.errors.length) throw new Error(`beacon minify: ${minified.errors[0].message}`);
  return minified.code;
}
