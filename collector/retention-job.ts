import { retentionCutoff } from '../storage/retention.ts';
import type { Clock, EventStore } from '../storage/types.ts';

export interface RetentionJob {
  /** Purges what is due now; resolves with the number of days removed. */
  runNow(): Promise<number>;
  /** Stops the timer and waits for a purge in progress. */
  stop(): Promise<void>;
}

/**
 * ANALYTICS_RETENTION_DAYS: removes day files older than the limit, at start and then every hour.
 * Hourly rather than daily so a day is gone within an hour of falling out of the window, and a
 * collector restarted often still purges; a run with nothing due only lists one folder.
 */
export function startRetention(options: {
  store: EventStore;
  retentionDays: number;
  clock: Clock;
  everyMs?: number;
  /** told after days were removed, so in-memory indexes drop them too */
  onPurged?: (firstKeptDay: string) => void | Promise<void>;
}): RetentionJob {
  let running: Promise<number> | null = null;
  const runNow = (): Promise<number> => {
    running ??= (async () => {
      const firstKept = retentionCutoff(options.clock(), options.retentionDays);
      const removed = await options.store.purgeBefore(firstKept);
      if (removed > 0) {
        console.log(`retention: removed ${removed} day(s) of events before ${firstKept}`);
        await options.onPurged?.(firstKept);
      }
      return removed;
    })().finally(() => (running = null));
    return running;
  };
  const tick = () =>
    void runNow().catch((error: Error) => console.error(`retention: purge failed: ${error.message}`));
  tick();
  const timer = setInterval(tick, options.everyMs ?? 60 * 60 * 1000);
  timer.unref();
  return {
    runNow,
    async stop() {
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
