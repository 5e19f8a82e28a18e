import { serve } from '@hono/node-server';
import type { Server } from 'node:http';
import { ConfigError, loadConfig } from '../collector/config.ts';
import { createCollector, type Collector } from './collector.ts';
import { connectionCap, fdSoftLimit, serverOptions } from '../collector/server-limits.ts';

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

// Signals are handled from the first moment: a stop while the history loads or the rollups warm
// up must not wait for them (the index load stops at its next batch, the warm-up at its next range).
let collector: Collector | null = null;
let server: Server | null = null;
let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: flushing and stopping`);
  server?.close();
  // Before the collector exists nothing was acknowledged, so there is nothing to flush.
  await collector?.close();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

collector = await createCollector({ config });
const started = collector;
const fdLimit = await fdSoftLimit();
const maxConnections = connectionCap(config.server.maxConnections, fdLimit);
if (!stopping) {
  server = serve(
    {
      fetch: started.app.fetch,
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
        console.log(`Dashboard: ${base}/admin/analytics#token=${started.adminToken}`);
      else console.log(`Dashboard: ${base}/admin/analytics (token: the value of ANALYTICS_ADMIN_TOKEN)`);
      console.log(`Tag:       <script defer src="${base}/beacon.js" data-site="example.com"></script>`);
      void started.warmUp();
    },
  ) as Server;
  // Past the cap Node closes new connections as soon as they are accepted, so sockets can never
  // take the descriptors the store needs.
  server.maxConnections = maxConnections;
}
