// The package as a plain Node app sees it: `import ... from 'cloudface-analytics'` resolved
// through package.json "exports" to the bundle in dist/ (the test setup builds it), with no tsx
// or other loader, and the type declarations that `npm run build` emits.
import { execFile } from 'node:child_process';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../support/helpers.ts';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** A temp app folder whose node_modules/cloudface-analytics is this repository. */
async function appDir(): Promise<string> {
  const { dir, cleanup } = await tempDir('cfa-app-');
  cleanups.push(cleanup);
  await mkdir(join(dir, 'node_modules'));
  await symlink(root, join(dir, 'node_modules', 'cloudface-analytics'), 'dir');
  await writeFile(join(dir, 'package.json'), JSON.stringify({ type: 'module', private: true }));
  return dir;
}

// A child without the loader flags vitest or a developer's shell may have set.
const plainEnv = () => {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return env;
};

describe('the npm package', () => {
  it('runs in plain Node: tracks an action and reads it back through the exports bundle', async () => {
    const app = await appDir();
    await writeFile(
      join(app, 'app.js'),
      `import { createAnalytics } from 'cloudface-analytics';
const analytics = await createAnalytics({ dataDir: process.argv[2] });
await analytics.trackAction('s1', 'user-7', 'photo_processed', { processed_count: 3 });
const overall = await analytics.getOverallAnalytics({ days: 1 });
const user = await analytics.getUserAnalytics('user-7', { days: 1 });
await analytics.close();
console.log(JSON.stringify({ action: overall.actions.photo_processed, user: user && user.actions }));
`,
    );
    const { stdout } = await run(process.execPath, ['app.js', join(app, 'data')], {
      cwd: app,
      env: plainEnv(),
    });
    expect(JSON.parse(stdout)).toEqual({
      action: { count: 1, users: 1, sums: { processed_count: 3 } },
      user: 1,
    });
  });

  it('ships type declarations a strict TypeScript app compiles against', { timeout: 180_000 }, async () => {
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    // What `npm run build` adds after scripts/build.mjs.
    await run(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { cwd: root });
    const app = await appDir();
    await symlink(join(root, 'node_modules', '@types'), join(app, 'node_modules', '@types'), 'dir');
    await writeFile(
      join(app, 'app.ts'),
      `import { createAnalytics, type OverallResponse } from 'cloudface-analytics';
const analytics = await createAnalytics({ dataDir: 'data' });
const overall: OverallResponse = await analytics.getOverallAnalytics({ days: 7 });
const count: number | undefined = overall.actions['x']?.count;
// @ts-expect-error days is a number
await analytics.getOverallAnalytics({ days: '7' });
export { count };
`,
    );
    const options = ['--noEmit', '--strict', '--module', 'nodenext', '--target', 'es2022', '--types', 'node'];
    const check = run(process.execPath, [tsc, ...options, 'app.ts'], { cwd: app }).then(
      () => '',
      (error: { stdout: string }) => error.stdout,
    );
    expect(await check).toBe('');
  });
});
