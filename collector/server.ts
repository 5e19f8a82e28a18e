import { serve } from '@hono/node-server';
import { ConfigError, loadConfig } from './config.ts';
import { createCollector, type Collector } from './collector.ts';

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
let server: ReturnType<typeof serve> | null = null;
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
if (!stopping)
  server = serve({ fetch: started.app.fetch, port: config.port, hostname: config.host }, (info) => {
    const base = `http://localhost:${info.port}`;
    console.log(`CloudFace Analytics collector listening on ${base} (data in ${config.dataDir})`);
    console.log(`Dashboard: ${base}/admin/analytics#token=${started.adminToken}`);
    console.log(`Tag:       <script defer src="${base}/beacon.js" data-site="example.com"></script>`);
    void started.warmUp();
  });
