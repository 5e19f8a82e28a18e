// Pure parts of the world map: which shade a country gets, and the code tables it joins on.

import { ISO_NUMERIC } from './iso-numeric.ts';

/** world-atlas feature id ("250", "032") → ISO alpha-2 ("FR", "AR"). */
export const NUMERIC_TO_ALPHA2: ReadonlyMap<string, string> = new Map(
  ISO_NUMERIC.split(',').map((pair) => [pair.slice(2).padStart(3, '0'), pair.slice(0, 2)]),
);

/**
 * Shade 0 (no visitors) to 5 (the busiest country), on a square-root scale so one big country
 * does not leave all others looking empty.
 */
export function shade(visitors: number, max: number): number {
  if (!(visitors > 0) || !(max > 0)) return 0;
  return Math.max(1, Math.min(5, Math.ceil(Math.sqrt(visitors / max) * 5)));
}
