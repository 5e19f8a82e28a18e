// Lists every import that goes backwards along an event's path (ARCHITECTURE.md): a module may
// import from its own folder and from the folders before it in LAYERS, never after. The tooling
// folders (library, cli, demo, bench, scripts, test) come after all of them and may import
// anything. Exits 1 when it finds one, so `npm run lint` keeps the layout honest.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const LAYERS = ['shared', 'beacon', 'storage', 'collector', 'query', 'server', 'dashboard'];
const TOOLING = ['library', 'cli', 'demo', 'bench', 'scripts', 'test'];
const SKIP = new Set(['node_modules', 'dist', 'data', 'test-artifacts', '.git']);

function* sources(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(path);
    else if (/\.(ts|mjs|js)$/.test(entry.name)) yield path;
  }
}

const rank = (file) => {
  const top = relative(root, file).split(sep)[0];
  const layer = LAYERS.indexOf(top);
  if (layer >= 0) return layer;
  return TOOLING.includes(top) ? LAYERS.length : -1;
};

// Static and dynamic imports and re-exports with a relative specifier.
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)(['"])(\.{1,2}\/[^'"]+)\1/gm;
const backwards = [];
for (const file of sources(root)) {
  const own = rank(file);
  if (own < 0 || own === LAYERS.length) continue;
  const text = readFileSync(file, 'utf8');
  for (const match of text.matchAll(IMPORT)) {
    const target = resolve(dirname(file), match[2]);
    if (rank(target) > own) {
      const line = text.slice(0, match.index).split('\n').length;
      backwards.push(`${relative(root, file)}:${line} -> ${relative(root, target)}`);
    }
  }
}
if (backwards.length > 0) {
  console.error(`Imports against the layout order (${LAYERS.join(' → ')}):`);
  for (const edge of backwards) console.error(`  ${edge}`);
  process.exit(1);
}
console.log(`layout: no backward imports (${LAYERS.join(' → ')}, then ${TOOLING.join(', ')})`);
