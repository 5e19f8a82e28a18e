import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');

export interface ChildServer {
  child: ChildProcess;
  url: string;
  /** performance.now() when the process was spawned */
  spawnedAt: number;
  output(): string;
  /** resident set size now, in bytes (Linux /proc), or null elsewhere */
  rss(): Promise<number | null>;
  stop(): Promise<void>;
}

/**
 * Starts a server module (the collector, its dist/server.mjs bundle, or the bare Hono app) as a child process on
 * 127.0.0.1 and a free port, and resolves once it prints "listening on http://…".
 */
export async function startChild(module: string, env: Record<string, string>): Promise<ChildServer> {
  const spawnedAt = performance.now();
  // A built bundle (dist/server.mjs, what `npm start` runs) needs no TypeScript loader.
  const loader = module.endsWith('.mjs') ? ['--enable-source-maps'] : ['--import', 'tsx'];
  const child = spawn(process.execPath, [...loader, join(ROOT, module)], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (d: Buffer) => (out = (out + d).slice(-20_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${module} did not start in 60 s:\n${out}`)), 60_000);
    const check = () => {
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (!match) return;
      clearTimeout(timer);
      child.stdout!.off('data', check);
      resolve(match[1]!.replace('localhost', '127.0.0.1'));
    };
    child.stdout!.on('data', check);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${module} exited early:\n${out}`));
    });
  });
  return {
    child,
    url,
    spawnedAt,
    output: () => out,
    async rss() {
      const status = await readFile(`/proc/${child.pid}/status`, 'utf8').catch(() => '');
      const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
      return kb ? Number(kb) * 1024 : null;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
