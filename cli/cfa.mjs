#!/usr/bin/env node
// The `cfa` bin: registers tsx (resolved from this package, whatever the working directory) so
// the TypeScript CLI runs on Node 20 without a build step.
import { register } from 'tsx/esm/api';

register();
await import('./index.ts');
