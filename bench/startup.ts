import { startChild, type ChildServer } from './lib/child-server.ts';

export interface StartedCollector {
  server: ChildServer;
  /** from spawning the process to the query index holding the stored history */
  startup_ms: number;
  /** whether /healthz reported the query index (false: no query API yet, healthz only) */
  query_index: boolean;
}

/**
 * Starts the real collector on a data dir and waits until it serves queries over the stored
 * history: /healthz reports the query index ready (or, without a query index, answers at all).
 */
export async function startCollectorOn(env: Record<string, string>): Promise<StartedCollector> {
  // The answer cache is off: every timed query is computed, as the first view after new data is.
  // The bundle `npm start` runs (bench/run.ts builds dist/ first).
  const server = await startChild('dist/server.mjs', {
    ANALYTICS_RATE_LIMIT: '0',
    ANALYTICS_QUERY_CACHE_MS: '0',
    ...env,
  });
  try {
    for (;;) {
      const health = (await fetch(`${server.url}/healthz`)
        .then((r) => r.json())
        .catch(() => null)) as { query_index?: { ready?: boolean } } | null;
      if (health && (!health.query_index || health.query_index.ready)) {
        const startup_ms = Math.round(performance.now() - server.spawnedAt);
        await settled(server.url);
        return { server, startup_ms, query_index: Boolean(health.query_index) };
      }
      if (performance.now() - server.spawnedAt > 600_000)
        throw new Error('query index not ready after 10 min');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/**
 * Start-up from an index snapshot: stops `started` with SIGTERM (the collector writes the
 * snapshot of its query index on the way out) and starts it again on the same environment, so
 * the second start reads the snapshot and only what was stored after it.
 */
export async function restartWarm(
  started: StartedCollector,
  env: Record<string, string>,
): Promise<StartedCollector> {
  await started.server.stop();
  return startCollectorOn(env);
}

/**
 * Waits until the in-memory index has built the dashboard ranges' rollups in the background
 * (`query_index.warm`), so the timed queries do not share the CPU with that one-off work.
 */
async function settled(url: string): Promise<void> {
  const deadline = performance.now() + 120_000;
  while (performance.now() < deadline) {
    const health = (await fetch(`${url}/healthz`)
      .then((r) => r.json())
      .catch(() => null)) as { query_index?: { warm?: boolean } } | null;
    if (health?.query_index?.warm !== false) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
