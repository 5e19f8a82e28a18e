#!/usr/bin/env node
// The `cfa` bin: runs the CLI that `npm run build` (or `npm start`) bundled into dist/, so it needs
// no TypeScript loader at run time.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = new URL('../dist/cli.mjs', import.meta.url);
if (!existsSync(fileURLToPath(bundle))) {
  console.error('cfa: dist/cli.mjs is missing; run `npm run build` in the cloudface-analytics folder first');
  process.exit(1);
}
await import(bundle.href);
