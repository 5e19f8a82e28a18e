import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bucketLabel, isoDay, isoTime } from '../../../shared/time.ts';

describe('isoTime', () => {
  it('formats exactly as Date#toISOString, across the whole Date range and fractional times', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: -8.64e15, max: 8.64e15 }),
          fc.integer({ min: 1.7e12, max: 1.9e12 }),
          fc.double({ min: -1e13, max: 1e13, noNaN: true }),
        ),
        (ts) => {
          expect(isoTime(ts)).toBe(new Date(ts).toISOString());
        },
      ),
      { numRuns: 5000, seed: 2026 },
    );
    expect(() => isoTime(Number.NaN)).toThrow(RangeError);
  });

  it('labels buckets and days from it', () => {
    const t = Date.parse('2026-11-27T13:45:12.345Z');
    expect(bucketLabel(Date.parse('2026-11-27T13:00:00Z'), 'hour')).toBe('2026-11-27T13:00:00Z');
    expect(bucketLabel(Date.parse('2026-11-01T00:00:00Z'), 'month')).toBe('2026-11');
    expect(isoDay(t)).toBe('2026-11-27');
  });
});
