import { COUNTRIES } from './tables.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

// Share of a country's peak traffic by local hour: quiet nights, a working-day plateau and an
// evening bump (people sorting event photos after work).
const DIURNAL = [
  0.22, 0.14, 0.1, 0.08, 0.08, 0.11, 0.2, 0.38, 0.62, 0.82, 0.93, 0.97, 0.94, 0.97, 1, 0.97, 0.93, 0.9, 0.93,
  1, 0.97, 0.82, 0.6, 0.38,
];

/** Weekend traffic is lower for a work tool: Sunday, Monday … Saturday. */
const WEEKDAY = [0.68, 1, 1.04, 1.03, 1, 0.92, 0.72];

/**
 * Relative traffic of each country in the hour starting at `t`, in its own local time, with a
 * gentle growth trend over the dataset (`progress` 0…1) so charts do not look flat.
 */
export function countryWeights(t: number, progress: number): number[] {
  const trend = 0.85 + 0.3 * progress;
  return COUNTRIES.map((c) => {
    const local = t + c.tz * HOUR;
    const hour = Math.floor((((local % DAY) + DAY) % DAY) / HOUR);
    // The epoch (day 0) was a Thursday, index 4 with Sunday as 0.
    const weekday = (((Math.floor(local / DAY) + 4) % 7) + 7) % 7;
    return c.weight * DIURNAL[hour]! * WEEKDAY[weekday]! * trend;
  });
}

export { HOUR, DAY };
