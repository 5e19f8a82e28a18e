import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Collector } from '../../server/collector.ts';
import { testCollector } from '../support/helpers.ts';

const CFA = join(import.meta.dirname, '..', '..', 'cli', 'cfa.mjs');
const PASSWORD = 'a long enough password';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `cfa` bin on the test's data dir, `input` on its stdin. */
function cfa(args: string[], input = ''): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CFA, ...args, '--data-dir', dir], {
      env: { ...process.env, ANALYTICS_ADMIN_TOKEN: '', ANALYTICS_STORE: '' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

let collector: Collector;
let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  // A collector running on the same data dir the whole time: every change must reach it without a restart.
  ({ collector, dir, cleanup } = await testCollector());
});
afterAll(() => cleanup());

function login(username: string, password: string) {
  return Promise.resolve(
    collector.app.request('/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.4' },
      body: JSON.stringify({ username, password }),
    }),
  );
}

async function session(username: string, password: string): Promise<string> {
  const res = await login(username, password);
  expect(res.status).toBe(200);
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

const me = (cookie: string) =>
  Promise.resolve(collector.app.request('/api/auth/me', { headers: { cookie } })).then((r) => r.status);

describe('cfa user', () => {
  it('adds, lists, changes the password of and removes an account, each seen by the running collector at once', async () => {
    const added = await cfa(
      ['user', 'add', 'alice', '--role', '*=viewer', '--role', 'a.example=admin', '--password-stdin'],
      `${PASSWORD}\n`,
    );
    expect(added).toMatchObject({ code: 0, stdout: 'added alice\n' });
    const res = await login('alice', PASSWORD);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      kind: 'account',
      roles: { '*': 'viewer', 'a.example': 'admin' },
    });
    const first = res.headers.get('set-cookie')!.split(';')[0]!;

    const listed = await cfa(['user', 'list']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^alice\t\*=viewer,a\.example=admin\tcreated \d{4}-.*\tlast login \d{4}-/m);

    const changed = await cfa(['user', 'passwd', 'alice', '--password-stdin'], 'another long password\n');
    expect(changed.code).toBe(0);
    expect(await me(first)).toBe(401);
    expect((await login('alice', PASSWORD)).status).toBe(401);
    const second = await session('alice', 'another long password');

    expect((await cfa(['user', 'remove', 'alice'])).code).toBe(0);
    expect(await me(second)).toBe(401);
    expect((await cfa(['user', 'list'])).stdout).toBe('');
  });

  it.each([
    [
      ['user', 'add', 'bob', '--role', '*=viewer', '--password-stdin'],
      'short\n',
      'password must be at least 10 characters',
    ],
    [['user', 'add', 'bob', '--password-stdin'], `${PASSWORD}\n`, 'give at least one --role'],
    [
      ['user', 'add', 'bob', '--role', 'a.example=owner', '--password-stdin'],
      `${PASSWORD}\n`,
      'owner is a role for "*" only',
    ],
    [
      ['user', 'add', 'bob', '--role', 'a.example=boss', '--password-stdin'],
      `${PASSWORD}\n`,
      'must be one of viewer, admin, owner',
    ],
    [
      ['user', 'add', 'bad name', '--role', '*=viewer', '--password-stdin'],
      `${PASSWORD}\n`,
      'give a user name',
    ],
    [['user', 'remove', 'nobody'], '', 'no user nobody'],
    [['user', 'frobnicate', 'bob'], '', 'unknown action'],
  ])('refuses %j with status 2 and a clear message', async (args, input, message) => {
    const run = await cfa(args, input);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });
});

describe('cfa key and cfa link', () => {
  it('creates an API key shown once, which works on the running collector until revoked', async () => {
    const added = await cfa(['key', 'add', '--site', 'a.example', '--scope', 'read', '--name', 'grafana']);
    expect(added.code).toBe(0);
    const key = /^(cfa_k_[0-9a-f]{16}\S{43})$/m.exec(added.stdout)![1]!;
    const id = key.slice(6, 22);
    const read = () =>
      Promise.resolve(
        collector.app.request('/api/analytics/overall?site=a.example', {
          headers: { authorization: `Bearer ${key}` },
        }),
      ).then((r) => r.status);
    expect(await read()).toBe(200);
    const listed = await cfa(['key', 'list']);
    expect(listed.stdout).toContain(`${id}\ta.example\tread\tgrafana\t`);
    expect(listed.stdout).not.toContain(key);
    expect((await cfa(['key', 'revoke', id])).code).toBe(0);
    expect(await read()).toBe(401);
    expect((await cfa(['key', 'add', '--site', 'a.example', '--scope', 'write'])).code).toBe(2);
  });

  it('creates a public link with a password from stdin, which opens its site until revoked', async () => {
    const added = await cfa(
      ['link', 'add', '--site', 'a.example', '--password-stdin'],
      'link password 123\n',
    );
    expect(added.code).toBe(0);
    const id = /\/share\/([A-Za-z0-9_-]{22})/.exec(added.stdout)![1]!;
    const open = (password?: string) =>
      Promise.resolve(
        collector.app.request('/api/auth/link', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ id, password }),
        }),
      );
    expect((await open()).status).toBe(401);
    const opened = await open('link password 123');
    expect(opened.status).toBe(200);
    const cookie = opened.headers.get('set-cookie')!.split(';')[0]!;
    expect(await me(cookie)).toBe(200);
    expect((await cfa(['link', 'list', '--site', 'a.example'])).stdout).toContain(`/share/${id}`);
    expect((await cfa(['link', 'revoke', id])).code).toBe(0);
    expect(await me(cookie)).toBe(401);
    expect((await cfa(['link', 'add', '--site', 'a.example', '--expires', '2020-01-01'])).code).toBe(2);
  });
});
