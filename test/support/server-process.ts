import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export interface RunningServer {
  child: ChildProcess;
  url: string;
  output: () => string;
  /** SIGTERM and wait for exit; resolves with the exit code */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const root = join(import.meta.dirname, '..', '..');

/**
 * Starts the real collector as a child process on a free port: server/server.ts through tsx,
 * or with `bundle` the dist/server.mjs that `npm start` runs (the test setup builds dist/).
 */
export async function startServer(
  env: Record<string, string>,
  options: {
    bundle?: boolean;
    /** a command node runs under, e.g. ['prlimit', '--nofile=150:150'] */
    prefix?: string[];
  } = {},
): Promise<RunningServer> {
  const args = options.bundle
    ? ['--enable-source-maps', join(root, 'dist/server.mjs')]
    : ['--import', 'tsx', join(root, 'server/server.ts')];
  const [command, ...rest] = [...(options.prefix ?? []), process.execPath, ...args] as [string, ...string[]];
  const child = spawn(command, rest, {
    cwd: root,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`collector did not start:\n${out}`)), 30_000);
    const check = () => {
      // The banner is three console.log calls that may arrive in separate chunks: wait for the
      // last one so callers can rely on the whole banner being there.
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match && out.includes('Tag:')) {
        clearTimeout(timer);
        resolve(match[1]!.replace('localhost', '127.0.0.1'));
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`collector exited with ${code}:\n${out}`));
    });
  });
  return {
    child,
    url,
    output: () => out,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
