import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Collector } from '../../../server/collector.ts';
import type { ConfigBundle } from '../../../cli/config-bundle.ts';
import type { SavedFunnel, Segment } from '../../../shared/api.ts';
import { testCollector } from '../../support/helpers.ts';

const CFA = join(import.meta.dirname, '..', '..', '..', 'cli', 'cfa.mjs');
const TOKEN = 'config-cli-admin-token-0123456789';

function cfa(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CFA, ...args], {
      env: { ...process.env, ANALYTICS_ADMIN_TOKEN: '', ANALYTICS_STORE: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

interface Running {
  collector: Collector;
  dir: string;
  cleanup: () => Promise<void>;
}
let source: Running;
let target: Running;

async function call(c: Collector, method: string, path: string, body?: unknown) {
  const res = await c.app.request(path, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await res.json()) as Record<string, unknown>;
}
const funnels = async (c: Collector, site = 'a.test') =>
  ((await call(c, 'GET', `/api/analytics/funnels?site=${site}`)).funnels as SavedFunnel[]).map((f) => f.name);
const segments = async (c: Collector) =>
  ((await call(c, 'GET', '/api/analytics/segments?site=a.test')).segments as Segment[]).map((s) => s.name);

const STEPS = [{ type: 'page', value: '/' }, { type: 'action', value: 'photo_processed' }, { type: 'share' }];

beforeAll(async () => {
  source = await testCollector({ ANALYTICS_ADMIN_TOKEN: TOKEN });
  target = await testCollector({ ANALYTICS_ADMIN_TOKEN: TOKEN });
  const c = source.collector;
  await call(c, 'POST', '/api/analytics/funnels', { site: 'a.test', name: 'Share', steps: STEPS });
  await call(c, 'POST', '/api/analytics/funnels', { site: 'b.test', name: 'Other site', steps: STEPS });
  await call(c, 'POST', '/api/analytics/segments', {
    site: 'a.test',
    name: 'Germany',
    filters: [['is', 'country', ['DE']]],
    shared: true,
  });
  // Kinds other features keep (goals) travel; people and credentials never do.
  await c.settings.put({ kind: 'goal', id: 'signup', site: 'a.test', body: { page: '/signup' } });
  await c.settings.put({ kind: 'account', id: 'ana', site: null, body: { password_hash: 'secret' } });
});
afterAll(async () => {
  await source?.cleanup();
  await target?.cleanup();
});

describe('cfa config export', () => {
  it("writes one site's analysis settings, and never accounts", async () => {
    const run = await cfa(['config', 'export', '--site', 'a.test', '--data-dir', source.dir]);
    expect(run.code).toBe(0);
    const bundle = JSON.parse(run.stdout) as ConfigBundle;
    expect(bundle).toMatchObject({ format: 'cfa-config', version: 1, site: 'a.test' });
    expect(bundle.settings.map((d) => `${d.kind}:${d.site}`).sort()).toEqual([
      'funnel:a.test',
      'goal:a.test',
      'segment:a.test',
    ]);
    expect(run.stdout).not.toContain('secret');
  });

  it('writes every site to a file', async () => {
    const out = join(target.dir, 'all.json');
    const run = await cfa(['config', 'export', '--out', out, '--data-dir', source.dir]);
    expect(run.code).toBe(0);
    const bundle = JSON.parse(await readFile(out, 'utf8')) as ConfigBundle;
    expect(bundle.site).toBeNull();
    expect(
      bundle.settings
        .filter((d) => d.kind === 'funnel')
        .map((d) => d.site)
        .sort(),
    ).toEqual(['a.test', 'b.test']);
  });
});

describe('cfa config import', () => {
  it('merges into a running collector, which uses the settings at once; --replace drops the rest', async () => {
    const file = join(target.dir, 'a.json');
    expect((await cfa(['config', 'export', file, '--site', 'a.test', '--data-dir', source.dir])).code).toBe(
      0,
    );
    const t = target.collector;
    await call(t, 'POST', '/api/analytics/funnels', { site: 'a.test', name: 'Local', steps: STEPS });

    const merged = await cfa(['config', 'import', file, '--data-dir', target.dir]);
    expect(merged.code).toBe(0);
    expect(merged.stdout).toMatch(/imported 3 setting/);
    expect((await funnels(t)).sort()).toEqual(['Local', 'Share']);
    expect(await segments(t)).toEqual(['Germany']);
    expect((await t.settings.get('goal', 'signup'))?.body).toEqual({ page: '/signup' });

    // a second import of the same file changes nothing (same ids)
    await cfa(['config', 'import', file, '--data-dir', target.dir]);
    expect((await funnels(t)).sort()).toEqual(['Local', 'Share']);

    const bundle = JSON.parse(await readFile(file, 'utf8')) as ConfigBundle;
    bundle.settings = bundle.settings.filter((d) => d.kind !== 'segment');
    await writeFile(file, JSON.stringify(bundle));
    const replaced = await cfa(['config', 'import', file, '--replace', '--data-dir', target.dir]);
    expect(replaced.code).toBe(0);
    expect(replaced.stdout).toMatch(/removed 2/);
    expect(await funnels(t)).toEqual(['Share']);
    expect(await segments(t)).toEqual([]);
  });

  it.each<[string, (b: ConfigBundle) => unknown, RegExp]>([
    ['a file that is not JSON', () => '{nope', /not valid JSON/],
    ['another format', (b) => ({ ...b, format: 'plausible' }), /not a cfa config export: format/],
    [
      'a funnel with a bad step',
      (b) => ({
        ...b,
        settings: [
          {
            kind: 'funnel',
            id: 'f',
            site: 'a.test',
            body: { site: 'a.test', name: 'x', window_minutes: null, steps: [STEPS[0], { type: 'action' }] },
          },
        ],
      }),
      /settings\[0\] \(funnel f\): steps\.1\.value/,
    ],
    [
      'an account',
      (b) => ({ ...b, settings: [{ kind: 'account', id: 'eve', site: null, body: {} }] }),
      /settings\[0\] \(account eve\): account settings are never imported/,
    ],
    [
      'a setting of another site than --site',
      (b) => ({ ...b, settings: [{ kind: 'goal', id: 'g', site: 'b.test', body: {} }] }),
      /belongs to b\.test, not a\.test/,
    ],
    [
      'more funnels than a site may hold',
      (b) => ({
        ...b,
        settings: Array.from({ length: 51 }, (_, n) => ({
          kind: 'funnel',
          id: `f${n}`,
          site: 'a.test',
          body: { site: 'a.test', name: `f${n}`, steps: STEPS, window_minutes: null },
        })),
      }),
      /a\.test would hold 5\d funnels, at most 50/,
    ],
  ])('refuses %s with a clear message and writes nothing', async (_name, edit, message) => {
    const before = await readFile(join(target.dir, 'settings.json'), 'utf8');
    const file = join(target.dir, 'bad.json');
    const base: ConfigBundle = {
      format: 'cfa-config',
      version: 1,
      exported_at: '',
      site: 'a.test',
      settings: [],
    };
    const content = edit(base);
    await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
    const run = await cfa(['config', 'import', file, '--site', 'a.test', '--data-dir', target.dir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(await readFile(join(target.dir, 'settings.json'), 'utf8')).toBe(before);
  });

  it('names a missing file and an unknown action', async () => {
    const missing = await cfa(['config', 'import', join(target.dir, 'nope.json'), '--data-dir', target.dir]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read .*nope\.json: ENOENT/);
    const unknown = await cfa(['config', 'sync', '--data-dir', target.dir]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown action "sync"/);
  });
});
