import { describe, expect, it } from 'vitest';
import { bucketKey, bucketStarts, fillBuckets } from '../../../dashboard/lib/buckets.ts';
import {
  retryDelay,
  startPoller,
  type Timers,
  type VisibilitySource,
} from '../../../dashboard/lib/poller.ts';
import { indexProgress } from '../../../dashboard/lib/load.ts';
import { apiCacheKey } from '../../../dashboard/lib/sw-keys.ts';

/** Hand-driven timers and page visibility, so the poller's rhythm is checked step by step. */
function harness() {
  let now = 0;
  let pending: { at: number; fn: () => void; id: number }[] = [];
  let nextId = 1;
  const listeners = new Set<() => void>();
  const page = {
    hidden: false as boolean,
    addEventListener: (_: 'visibilitychange', l: () => void) => listeners.add(l),
    removeEventListener: (_: 'visibilitychange', l: () => void) => listeners.delete(l),
  } satisfies VisibilitySource;
  const timers: Timers = {
    setTimeout: (fn, ms) => {
      const id = nextId++;
      pending.push({ at: now + ms, fn, id });
      return id;
    },
    clearTimeout: (id) => (pending = pending.filter((p) => p.id !== id)),
    now: () => now,
  };
  return {
    page,
    timers,
    listeners,
    pendingCount: () => pending.length,
    advance(ms: number) {
      const end = now + ms;
      for (;;) {
        const due = pending.filter((p) => p.at <= end).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        pending = pending.filter((p) => p !== due);
        now = due.at;
        due.fn();
      }
      now = end;
    },
    setHidden(hidden: boolean) {
      page.hidden = hidden;
      for (const l of listeners) l();
    },
  };
}

describe('auto-refresh', () => {
  it('runs every interval while the page is visible', () => {
    const h = harness();
    let runs = 0;
    startPoller(() => runs++, 300_000, h.page, h.timers);
    h.advance(299_999);
    expect(runs).toBe(0);
    h.advance(1);
    expect(runs).toBe(1);
    h.advance(600_000);
    expect(runs).toBe(3);
  });

  it('pauses while hidden and catches up at once on return when a refresh was missed', () => {
    const h = harness();
    let runs = 0;
    startPoller(() => runs++, 10_000, h.page, h.timers);
    h.advance(10_000);
    expect(runs).toBe(1);
    h.setHidden(true);
    expect(h.pendingCount()).toBe(0);
    h.advance(60_000);
    expect(runs).toBe(1);
    h.setHidden(false);
    h.advance(0);
    expect(runs).toBe(2);
    h.advance(10_000);
    expect(runs).toBe(3);
  });

  it('on a quick return waits only for the rest of the interval', () => {
    const h = harness();
    let runs = 0;
    startPoller(() => runs++, 10_000, h.page, h.timers);
    h.advance(4_000);
    h.setHidden(true);
    h.advance(2_000);
    h.setHidden(false);
    h.advance(3_999);
    expect(runs).toBe(0);
    h.advance(1);
    expect(runs).toBe(1);
  });

  it('does nothing when turned off and stops cleanly', () => {
    const h = harness();
    let runs = 0;
    startPoller(() => runs++, 0, h.page, h.timers)();
    const stop = startPoller(() => runs++, 1_000, h.page, h.timers);
    stop();
    h.advance(10_000);
    expect(runs).toBe(0);
    expect(h.listeners.size).toBe(0);
  });
});

describe('time series buckets', () => {
  const t0 = Date.UTC(2026, 10, 27, 10, 30);

  it('names buckets as the query API does', () => {
    expect(bucketKey(t0, 'hour')).toBe('2026-11-27T10:00:00Z');
    expect(bucketKey(t0, 'day')).toBe('2026-11-27');
  });

  it('lists every bucket touching the range, and none for an empty range', () => {
    expect(bucketStarts(t0, t0 + 3 * 3_600_000, 'hour')).toHaveLength(4);
    expect(bucketStarts(t0 - 7 * 86_400_000, t0 + 1, 'day')).toHaveLength(8);
    expect(bucketStarts(t0, t0, 'day')).toEqual([]);
  });

  it('fills missing buckets with zeros so quiet hours show as zero, not as a line across', () => {
    const rows = new Map([
      ['2026-11-27T10:00:00Z', [3, 5]],
      ['2026-11-27T12:00:00Z', [1, 1]],
    ]);
    const { times, values } = fillBuckets(rows, t0, t0 + 2 * 3_600_000 + 1, 'hour', 2);
    expect(times).toEqual([0, 1, 2].map((i) => (Date.UTC(2026, 10, 27, 10) + i * 3_600_000) / 1000));
    expect(values).toEqual([
      [3, 0, 1],
      [5, 0, 1],
    ]);
  });
});

describe('offline cache keys', () => {
  it('keys GETs by URL and POSTed queries by URL plus a hash of the body', () => {
    expect(apiCacheKey('/api/analytics/overall?days=7', '')).toBe('/api/analytics/overall?days=7');
    const a = apiCacheKey('/api/analytics/query', '{"metrics":["visitors"]}');
    const b = apiCacheKey('/api/analytics/query', '{"metrics":["pageviews"]}');
    expect(a).toMatch(/^\/api\/analytics\/query\?cfa-body=[0-9a-z]+$/);
    expect(a).not.toBe(b);
    expect(apiCacheKey('/api/analytics/query', '{"metrics":["visitors"]}')).toBe(a);
  });
});

describe('index loading notice', () => {
  const health = (body: unknown) =>
    (async () => new Response(JSON.stringify(body))) as unknown as typeof fetch;

  it('reports the share loaded while the query index is not ready, and null once it is', async () => {
    expect(
      await indexProgress(health({ ok: true, query_index: { ready: false, progress: 0.42, rows: 10 } })),
    ).toBe(0.42);
    expect(
      await indexProgress(health({ ok: true, query_index: { ready: true, progress: 1, rows: 10 } })),
    ).toBeNull();
    // An older collector without the figure, or no connection: nothing to announce.
    expect(await indexProgress(health({ ok: true }))).toBeNull();
    expect(
      await indexProgress((async () => Promise.reject(new Error('offline'))) as unknown as typeof fetch),
    ).toBeNull();
  });
});

describe('retry after a failed load', () => {
  it('doubles from 2 s and stops growing at a minute', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 50].map((n) => retryDelay(n))).toEqual([
      2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000,
    ]);
  });
});
