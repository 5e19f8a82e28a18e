// The time series needs every bucket, including empty ones, or the chart would join the points
// either side of a quiet night into one misleading line.

import { bucketLabel, bucketStart, nextBucket, type Interval } from '../../shared/time.ts';

/**
 * Bucket key as the query API writes it: hour "2026-11-27T13:00:00Z", day and week (its Monday)
 * "2026-11-27", month "2026-11".
 */
export function bucketKey(ms: number, interval: Interval): string {
  return bucketLabel(bucketStart(ms, interval), interval);
}

/** Every bucket start (epoch ms, UTC) from the one holding `from` up to the one holding `to - 1`. */
export function bucketStarts(from: number, to: number, interval: Interval): number[] {
  const out: number[] = [];
  if (!(to > from)) return out;
  // Capped so a bad range can never freeze the page building millions of buckets.
  for (let t = bucketStart(from, interval); t < to && out.length < 10_000; t = nextBucket(t, interval))
    out.push(t);
  return out;
}

/**
 * Lines over every bucket: `rows` maps bucket keys to metric values (missing buckets are 0).
 * Returns epoch seconds (uPlot's unit) and one array per metric.
 */
export function fillBuckets(
  rows: ReadonlyMap<string, readonly number[]>,
  from: number,
  to: number,
  interval: Interval,
  metricCount: number,
): { times: number[]; values: number[][] } {
  const starts = bucketStarts(from, to, interval);
  const values = Array.from({ length: metricCount }, () => new Array<number>(starts.length).fill(0));
  starts.forEach((start, i) => {
    const row = rows.get(bucketKey(start, interval));
    if (row) for (let m = 0; m < metricCount; m++) values[m]![i] = row[m] ?? 0;
  });
  return { times: starts.map((t) => t / 1000), values };
}
