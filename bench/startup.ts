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
        return {
          server,
          startup_ms: Math.round(performance.now() - server.spawnedAt),
          query_index: Boolean(health.query_index),
        };
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
