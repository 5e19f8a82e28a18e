import { execFileSync } from 'node:child_process';

/** Builds dist/ (beacon, dashboard) once per run, as `npm start` does. */
export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
}
