import { serve } from '@hono/node-server';
import { ConfigError, loadConfig } from './config.ts';
import { createCollector } from './collector.ts';

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
const server = serve({ fetch: collector.app.fetch, port: config.port, hostname: config.host }, (info) => {
  const base = `http://localhost:${info.port}`;
  console.log(`CloudFace Analytics collector listening on ${base} (data in ${config.dataDir})`);
  console.log(`Dashboard: ${base}/admin/analytics#token=${collector.adminToken}`);
  console.log(`Tag:       <script defer src="${base}/beacon.js" data-site="example.com"></script>`);
});

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
