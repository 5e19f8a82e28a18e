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
  const iso = isoTime(start);
  if (interval === 'hour') return iso.slice(0, 13) + ':00:00Z';
  if (interval === 'month') return iso.slice(0, 7);
  return iso.slice(0, 10);
}

export function isoDay(ts: number): string {
  return isoTime(ts).slice(0, 10);
}

// "YYYY-MM-DDT" per day number: formatting a Date costs 2–6 µs here, thousands of times per answer
// (users' first and last seen, event times, time buckets).
const dayPrefixes = new Map<number, string>();

/** `new Date(ts).toISOString()`, with the date part computed once per day. */
export function isoTime(ts: number): string {
  const t = Math.trunc(ts);
  const day = Math.floor(t / DAY_MS);
  // Out-of-range or non-finite times: let Date format them (or throw) as before.
  if (!Number.isSafeInteger(t) || Math.abs(t) > 8.64e15) return new Date(ts).toISOString();
  let prefix = dayPrefixes.get(day);
  if (prefix === undefined) {
    if (dayPrefixes.size >= 4096) dayPrefixes.clear();
    prefix = new Date(day * DAY_MS).toISOString().slice(0, -13);
    dayPrefixes.set(day, prefix);
  }
  let rest = t - day * DAY_MS;
  const ms = rest % 1000;
  rest = (rest - ms) / 1000;
  const sec = rest % 60;
  rest = (rest - sec) / 60;
  const min = rest % 60;
  const hour = (rest - min) / 60;
  return `${prefix}${pad(hour, 2)}:${pad(min, 2)}:${pad(sec, 2)}.${pad(ms, 3)}Z`;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}
