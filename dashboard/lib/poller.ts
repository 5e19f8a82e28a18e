// Auto-refresh that sleeps while the tab is hidden: a dashboard left open in a background tab
// should not query the collector every few seconds for nobody.

export interface VisibilitySource {
  readonly hidden: boolean;
  addEventListener(type: 'visibilitychange', listener: () => void): void;
  removeEventListener(type: 'visibilitychange', listener: () => void): void;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

const browserTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as number),
  now: () => Date.now(),
};

/**
 * Calls `run` every `intervalMs` while the page is visible. On return to the page it runs at
 * once if a refresh was missed, then resumes the rhythm. Returns a stop function.
 */
export function startPoller(
  run: () => void,
  intervalMs: number,
  visibility: VisibilitySource,
  timers: Timers = browserTimers,
): () => void {
  if (!(intervalMs > 0)) return () => undefined;
  let last = timers.now();
  let handle: unknown = null;
  const schedule = (delay: number) => {
    if (handle !== null) timers.clearTimeout(handle);
    handle = timers.setTimeout(tick, delay);
  };
  const tick = () => {
    handle = null;
    if (visibility.hidden) return;
    last = timers.now();
    run();
    schedule(intervalMs);
  };
  const onVisibility = () => {
    if (visibility.hidden) {
      if (handle !== null) timers.clearTimeout(handle);
      handle = null;
      return;
    }
    schedule(Math.max(0, last + intervalMs - timers.now()));
  };
  visibility.addEventListener('visibilitychange', onVisibility);
  if (!visibility.hidden) schedule(intervalMs);
  return () => {
    visibility.removeEventListener('visibilitychange', onVisibility);
    if (handle !== null) timers.clearTimeout(handle);
    handle = null;
  };
}

/**
 * Wait before retry number `attempt` (0-based) after a failed load: doubling from 2 s to at most
 * a minute, so a collector that is back is seen within seconds and one that stays down is not
 * hammered.
 */
export function retryDelay(attempt: number, baseMs = 2_000, capMs = 60_000): number {
  return Math.min(capMs, baseMs * 2 ** Math.max(0, Math.min(attempt, 30)));
}
