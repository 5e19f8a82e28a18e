import { serve } from '@hono/node-server';
import type { Server } from 'node:http';
import { ConfigError, loadConfig } from './config.ts';
import { createCollector } from './collector.ts';
import { connectionCap, fdSoftLimit, serverOptions } from './server-limits.ts';

// The only module with a socket and process signals; everything else is in createCollector.
let config;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`configuration error: ${error.message}`);
    process.exit(1);
  }
  throw error;
}

const collector = await createCollector({ config });
const fdLimit = await fdSoftLimit();
const maxConnections = connectionCap(config.server.maxConnections, fdLimit);
const server = serve(
  {
    fetch: collector.app.fetch,
    port: config.port,
    hostname: config.host,
    serverOptions: serverOptions(config.server),
  },
  (info) => {
    const base = `http://localhost:${info.port}`;
    console.log(`CloudFace Analytics collector listening on ${base} (data in ${config.dataDir})`);
    console.log(
      `Connections: at most ${maxConnections} (ANALYTICS_MAX_CONNECTIONS=${config.server.maxConnections}, open-file limit ${fdLimit ?? 'unknown'}), headers within ${config.server.headersTimeoutMs} ms, requests within ${config.server.requestTimeoutMs} ms`,
    );
    // A token set through the environment stays out of the logs (journald, Docker and log shippers
    // keep them); a generated one is shown since the operator has no other way to learn it.
    if (config.adminToken === null)
      console.log(`Dashboard: ${base}/admin/analytics#token=${collector.adminToken}`);
    else console.log(`Dashboard: ${base}/admin/analytics (token: the value of ANALYTICS_ADMIN_TOKEN)`);
    console.log(`Tag:       <script defer src="${base}/beacon.js" data-site="example.com"></script>`);
  },
) as Server;
// Past the cap Node closes new connections as soon as they are accepted, so sockets can never
// take the descriptors the store needs.
server.maxConnections = maxConnections;

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: flushing and stopping`);
  server.close();
  await collector.close();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
