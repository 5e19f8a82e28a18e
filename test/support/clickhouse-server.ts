import { existsSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { remoteServersConfig } from '../../query/clickhouse/cluster.ts';

export interface ServerOptions {
  httpPort?: number;
  tcpPort?: number;
  /** files for config.d/, by name */
  configFiles?: Record<string, string>;
}

export interface ClickHouseServer {
  /** http://127.0.0.1:PORT */
  url: string;
  /** the temporary folder holding data, config and log */
  dir: string;
  /** Stops the server (SIGTERM, then SIGKILL after 15 s) and keeps its data. */
  stop(): Promise<void>;
  /** Starts it again on the same ports and data. */
  start(): Promise<void>;
  /** Stops it and deletes the data. */
  destroy(): Promise<void>;
}

// Debian installs it in /usr/sbin, which is not on every PATH.
const BINARY =
  process.env.CLICKHOUSE_SERVER_PATH ??
  ['/usr/bin/clickhouse-server', '/usr/sbin/clickhouse-server'].find((p) => existsSync(p)) ??
  'clickhouse-server';

/**
 * Debian's clickhouse-server (18.16 in CI) on loopback with its own temporary data dir, config
 * and free ports, so parallel test runs by several engineers never share a server.
 */
export async function startClickHouse(options: ServerOptions = {}): Promise<ClickHouseServer> {
  const dir = await mkdtemp(join(tmpdir(), 'cfa-clickhouse-'));
  const httpPort = options.httpPort ?? (await freePort());
  const tcpPort = options.tcpPort ?? (await freePort());
  for (const sub of ['data', 'tmp', 'user_files', 'format_schemas', 'config.d']) await mkdir(join(dir, sub));
  await writeFile(join(dir, 'config.xml'), serverConfig(dir, httpPort, tcpPort));
  // ClickHouse merges config.d/*.xml next to config.xml into it, as on an installed server.
  for (const [name, text] of Object.entries(options.configFiles ?? {}))
    await writeFile(join(dir, 'config.d', name), text);
  await writeFile(join(dir, 'users.xml'), USERS);
  const url = `http://127.0.0.1:${httpPort}`;
  let child: ChildProcess | null = null;
  let log = '';

  const start = async () => {
    log = '';
    const proc = spawn(BINARY, [`--config-file=${join(dir, 'config.xml')}`], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc.stdout!.on('data', (d) => (log = (log + d).slice(-20_000)));
    proc.stderr!.on('data', (d) => (log = (log + d).slice(-20_000)));
    child = proc;
    // A test worker that dies (or a suite whose set-up threw) must not leave servers running.
    const orphaned = () => proc.kill('SIGKILL');
    process.once('exit', orphaned);
    proc.once('exit', () => process.off('exit', orphaned));
    await waitUntilAnswering(url, proc, () => log);
  };

  const stop = async () => {
    const proc = child;
    child = null;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };

  try {
    await start();
  } catch (error) {
    await stop();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url,
    dir,
    stop,
    start,
    async destroy() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface ClickHouseCluster {
  /** the `remote_servers` name */
  name: string;
  /** HTTP URL of every shard, shard 1 first */
  urls: string[];
  servers: ClickHouseServer[];
  /** Stops every shard and deletes their data. */
  destroy(): Promise<void>;
}

/**
 * `shards` servers on loopback (own ports and data dirs) that all know the same cluster `name`
 * from the config.d file docs/scaling.md shows (remoteServersConfig), started together.
 */
export async function startClickHouseCluster(name = 'analytics', shards = 2): Promise<ClickHouseCluster> {
  const ports = [];
  for (let i = 0; i < shards; i++) ports.push({ http: await freePort(), tcp: await freePort() });
  const config = remoteServersConfig(
    name,
    ports.map((p) => [{ host: '127.0.0.1', port: p.tcp }]),
  );
  const started = await Promise.allSettled(
    ports.map((p) =>
      startClickHouse({ httpPort: p.http, tcpPort: p.tcp, configFiles: { 'cloudface-cluster.xml': config } }),
    ),
  );
  const servers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    await Promise.all(servers.map((s) => s.destroy()));
    throw failed.reason;
  }
  return {
    name,
    urls: servers.map((s) => s.url),
    servers,
    async destroy() {
      await Promise.all(servers.map((s) => s.destroy()));
    },
  };
}

async function waitUntilAnswering(url: string, proc: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`clickhouse-server exited with ${proc.exitCode}:\n${log()}`);
    const ok = await fetch(`${url}/?query=SELECT%201`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`clickhouse-server did not answer on ${url} within 60 s:\n${log()}`);
}

/** A port the kernel just handed out; the tiny race with other processes is acceptable in tests. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function serverConfig(dir: string, httpPort: number, tcpPort: number): string {
  return `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><console>1</console></logger>
  <http_port>${httpPort}</http_port>
  <tcp_port>${tcpPort}</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <path>${dir}/data/</path>
  <tmp_path>${dir}/tmp/</tmp_path>
  <user_files_path>${dir}/user_files/</user_files_path>
  <format_schema_path>${dir}/format_schemas/</format_schema_path>
  <users_config>users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mark_cache_size>268435456</mark_cache_size>
  <uncompressed_cache_size>268435456</uncompressed_cache_size>
  <max_concurrent_queries>100</max_concurrent_queries>
</yandex>
`;
}

const USERS = `<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>4000000000</max_memory_usage></default></profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors>
    <result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
`;
