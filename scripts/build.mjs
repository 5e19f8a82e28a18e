// Builds into dist/: the beacon (a plain script, ES2020, minified) and its debug variant, the
// dashboard when present, and the collector, the `cfa` CLI and the library (package.json
// "exports") as ES modules, so nothing at run time needs tsx. `npm run build` then adds the
// library's type declarations (tsconfig.build.json).
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
await mkdir(dist, { recursive: true });

// Two builds of the one source: beacon.js for every site, and beacon.debug.js, which a site owner
// loads instead to see in the console why a page was skipped (data-debug). The define cuts the log
// and its reason words out of the default build (53 B gzipped: docs/beacon.md); everything else
// is the same code. test/unit/beacon/beacon-size.test.ts builds both the same way.
for (const [file, debug] of [
  ['beacon.js', false],
  ['beacon.debug.js', true],
]) {
  await build({
    entryPoints: [join(root, 'beacon/index.ts')],
    outfile: join(dist, file),
    bundle: true,
    minify: true,
    // No IIFE wrapper: beacon/index.ts is one try block whose let/const stay inside it, so nothing
    // leaks into the page's globals (the output has no import or export, so it runs as a script).
    format: 'esm',
    target: 'es2020',
    legalComments: 'none',
    // tsconfig's strict would prefix "use strict" (13 bytes, 8 gzipped); the beacon relies on
    // nothing strict mode changes.
    tsconfigRaw: { compilerOptions: { alwaysStrict: false } },
    define: { __CFA_DEBUG__: String(debug) },
    logLevel: 'warning',
  });
}

// The collector, the CLI and the library as one ES module each: starting them skips transpiling
// every module through tsx (about 0.6 s of each collector start-up here), and a plain Node app can
// import the library. npm packages stay external, loaded from node_modules as usual. `cfa`
// (cli/cfa.mjs) runs dist/cli.mjs; package.json "exports" points at dist/library/index.js.
const nodeModule = (entry, out) =>
  build({
    entryPoints: [join(root, entry)],
    outfile: join(dist, out),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  });
await nodeModule('server/server.ts', 'server.mjs');
await nodeModule('cli/index.ts', 'cli.mjs');
await nodeModule('library/index.ts', 'library/index.js');
// Files the collector reads next to its own module (import.meta.dirname), here dist/.
await copyFile(join(root, 'collector/referrer-spam.txt'), join(dist, 'referrer-spam.txt'));

const dashboardEntry = join(root, 'dashboard/main.ts');
if (existsSync(dashboardEntry)) {
  await build({
    entryPoints: [dashboardEntry],
    outdir: join(dist, 'dashboard'),
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2020',
    // Maps stay in dist/ for whoever debugs on this machine, unlinked from the bundle and never
    // served: the public /admin/analytics would otherwise hand out the whole dashboard source.
    sourcemap: 'external',
    // The world map (d3-geo) loads as its own chunk after the first paint.
    splitting: true,
    chunkNames: 'chunk-[hash]',
    logLevel: 'warning',
  });
  // The service worker is its own script (it runs outside the page) and the static shell files
  // are copied as they are.
  await build({
    entryPoints: [join(root, 'dashboard/sw.ts')],
    outfile: join(dist, 'dashboard/sw.js'),
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2020',
    logLevel: 'warning',
  });
  for (const file of ['index.html', 'icon.svg']) {
    await copyFile(join(root, 'dashboard', file), join(dist, 'dashboard', file));
  }
  // Country outlines for the dashboard's map, fetched by the page after its first paint.
  await copyFile(
    join(root, 'node_modules/world-atlas/countries-110m.json'),
    join(dist, 'dashboard/countries-110m.json'),
  );
}
