/** Rounds to 2 decimals, so JSON stays readable and backends agree. */
export function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
