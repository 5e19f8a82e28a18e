/** UTC time buckets shared by every backend and the response shaping. */

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

export type Interval = 'hour' | 'day' | 'week' | 'month';

/** Start (epoch ms) of the bucket holding `ts`. */
export function bucketStart(ts: number, interval: Interval): number {
  switch (interval) {
    case 'hour':
      return Math.floor(ts / HOUR_MS) * HOUR_MS;
    case 'day':
      return Math.floor(ts / DAY_MS) * DAY_MS;
    case 'week': {
      const day = Math.floor(ts / DAY_MS);
      // 1970-01-01 was a Thursday: (day + 3) % 7 is the days since Monday.
      return (day - ((day + 3) % 7)) * DAY_MS;
    }
    case 'month': {
      const d = new Date(ts);
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    }
  }
}

/** The start of the next bucket after the one starting at `start`. */
export function nextBucket(start: number, interval: Interval): number {
  if (interval === 'month') {
    const d = new Date(start);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  }
  return start + (interval === 'hour' ? HOUR_MS : interval === 'day' ? DAY_MS : 7 * DAY_MS);
}

/** The bucket's label: "2026-11-27T13:00:00Z", "2026-11-27" or "2026-11". */
export function bucketLabel(start: number, interval: Interval): string {
  const iso = new Date(start).toISOString();
  if (interval === 'hour') return iso.slice(0, 13) + ':00:00Z';
  if (interval === 'month') return iso.slice(0, 7);
  return iso.slice(0, 10);
}

export function isoDay(ts: number): string {
  return new Date(ts).toISOString().slice(0, 10);
}
