import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/helpers.ts';
import { startServer, type RunningServer } from '../support/server-process.ts';
import { startClickHouse, type ClickHouseServer } from '../support/clickhouse-server.ts';

const TOKEN = 'access-test-admin-token-0123456789';
const PASSWORD = 'a long enough password';
const DATABASE = 'shared_access';
const CFA = join(import.meta.dirname, '..', '..', 'cli', 'cfa.mjs');

let server: ClickHouseServer;
let a: RunningServer;
let b: RunningServer;
const cleanups: (() => Promise<unknown>)[] = [];

async function collector(): Promise<RunningServer> {
  const { dir, cleanup } = await tempDir('cfa-ch-access-');
  const proc = await startServer({
    ANALYTICS_DATA_DIR: dir,
    ANALYTICS_ADMIN_TOKEN: TOKEN,
    ANALYTICS_RATE_LIMIT: '0',
    ANALYTICS_STORE: 'clickhouse',
    CLICKHOUSE_URL: server.url,
    CLICKHOUSE_DATABASE: DATABASE,
    CLICKHOUSE_FLUSH_MS: '50',
  });
  cleanups.push(async () => {
    await proc.stop();
    await cleanup();
  });
  return proc;
}

beforeAll(async () => {
  server = await startClickHouse();
  [a, b] = [await collector(), await collector()];
});
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  await server?.destroy();
});

function call(base: RunningServer, path: string, headers: Record<string, string> = {}, body?: unknown) {
  return fetch(`${base.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

const owner = { authorization: `Bearer ${TOKEN}` };

/**
 * Polls until `status()` gives `want`; the time it took in ms, or a failure after `limitMs`.
 * Sign-ins poll slowly: each failure counts towards the login throttle.
 */
async function within(
  limitMs: number,
  want: number,
  status: () => Promise<number>,
  everyMs = 50,
): Promise<number> {
  const start = Date.now();
  for (;;) {
    const got = await status();
    if (got === want) return Date.now() - start;
    if (Date.now() - start > limitMs) throw new Error(`still ${got} after ${limitMs} ms, wanted ${want}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

async function login(base: RunningServer, username: string) {
  const res = await call(base, '/api/auth/login', {}, { username, password: PASSWORD });
  expect(res.status).toBe(200);
  const { csrf } = (await res.json()) as { csrf: string };
  return { cookie: res.headers.get('set-cookie')!.split(';')[0]!, 'x-csrf-token': csrf };
}

describe('two collectors on one ClickHouse share accounts, sessions, keys and links', () => {
  it('an account made on one signs in on the other, and its session works on both', async () => {
    const made = await call(a, '/api/admin/users', owner, {
      name: 'vera',
      password: PASSWORD,
      roles: { 'a.example': 'viewer' },
    });
    expect(made.status).toBe(201);
    // B's settings cache holds for at most 1 s.
    await within(
      3000,
      200,
      async () => (await call(b, '/api/auth/login', {}, { username: 'vera', password: PASSWORD })).status,
      300,
    );
    const session = await login(b, 'vera');
    await within(
      3000,
      200,
      async () => (await call(a, '/api/analytics/overall?site=a.example', session)).status,
    );
    expect((await call(b, '/api/analytics/overall?site=a.example', session)).status).toBe(200);
    expect((await call(a, '/api/analytics/overall?site=b.example', session)).status).toBe(403);
  });

  it('a sign-out everywhere on one is refused there at once and on the other within about a second', async () => {
    const session = await login(a, 'vera');
    await within(3000, 200, async () => (await call(b, '/api/auth/me', session)).status);
    expect((await call(a, '/api/auth/logout-all', session, {})).status).toBe(200);
    expect((await call(a, '/api/auth/me', session)).status).toBe(401);
    const took = await within(3000, 401, async () => (await call(b, '/api/auth/me', session)).status);
    console.log(`sign-out everywhere on A refused on B after ${took} ms`);
  });

  it('a key made on one works on the other; a link revoked on one is refused on the other within about a second', async () => {
    const created = await call(b, '/api/admin/keys', owner, {
      site: 'a.example',
      scopes: ['read'],
      name: 'ci',
    });
    const { key } = (await created.json()) as { key: string };
    await within(
      3000,
      200,
      async () =>
        (await call(a, '/api/analytics/overall?site=a.example', { authorization: `Bearer ${key}` })).status,
    );

    const link = await call(a, '/api/admin/links', owner, { site: 'a.example' });
    const { id } = (await link.json()) as { id: string };
    await within(3000, 200, async () => (await call(b, '/api/auth/link', {}, { id })).status, 300);
    const opened = await call(b, '/api/auth/link', {}, { id });
    const csrf = ((await opened.json()) as { csrf: string }).csrf;
    const viewer = { cookie: opened.headers.get('set-cookie')!.split(';')[0]!, 'x-csrf-token': csrf };
    await within(
      3000,
      200,
      async () => (await call(a, '/api/analytics/overall?site=a.example', viewer)).status,
    );
    const revoked = await fetch(`${b.url}/api/admin/links/${id}`, { method: 'DELETE', headers: owner });
    expect(revoked.status).toBe(200);
    expect((await call(b, '/api/analytics/overall?site=a.example', viewer)).status).toBe(401);
    const took = await within(
      3000,
      401,
      async () => (await call(a, '/api/analytics/overall?site=a.example', viewer)).status,
    );
    console.log(`link revoked on B refused on A after ${took} ms`);
  });

  it('cfa user add with ANALYTICS_STORE=clickhouse reaches both running collectors', async () => {
    const run = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [CFA, 'user', 'add', 'cora', '--role', '*=owner', '--password-stdin'],
        {
          env: {
            ...process.env,
            ANALYTICS_STORE: 'clickhouse',
            CLICKHOUSE_URL: server.url,
            CLICKHOUSE_DATABASE: DATABASE,
            ANALYTICS_ADMIN_TOKEN: '',
          },
          stdio: ['pipe', 'ignore', 'pipe'],
        },
      );
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stderr }));
      child.stdin.end(`${PASSWORD}\n`);
    });
    expect(run).toEqual({ code: 0, stderr: '' });
    for (const base of [a, b])
      await within(
        3000,
        200,
        async () =>
          (await call(base, '/api/auth/login', {}, { username: 'cora', password: PASSWORD })).status,
        300,
      );
  });
});
