import type { JourneysResponse } from '../../shared/api.ts';
import type { JourneysQuery } from '../backend.ts';
import { siteCode } from './aggregate.ts';
import { KIND_CODE } from './columns.ts';
import type { MemoryIndex } from './index.ts';
import { CHECK_MASK } from '../budget.ts';
import { matchingUnits } from './matching-units.ts';

/** Top page-to-page transitions and paths of three pages (see "Journeys" in ../types.ts). */
export function journeys(index: MemoryIndex, q: JourneysQuery): JourneysResponse {
  index.ready();
  const cols = index.cols;
  const site = siteCode(index, q.site);
  // Only page views count: walk their row list instead of every row.
  const list = index.kindRows[KIND_CODE.pageview];
  const rows = list?.data ?? new Int32Array(0);
  const lo = index.lowerBoundIn(rows, list?.length ?? 0, q.from);
  const hi = index.lowerBoundIn(rows, list?.length ?? 0, q.to);
  const last = new Int32Array(index.sessionCount).fill(-1);
  const beforeLast = new Int32Array(index.sessionCount).fill(-1);
  // Keys are path codes in base P, exact in a double while P³ < 2^53 (P < 200 000 paths).
  const P = cols.dicts.path.size;
  const numeric = P < 200_000;
  const pairs = new Map<number, number>();
  const triples = new Map<number | string, number>();
  const paths = cols.dict.path.data;
  const sites = cols.dict.site.data;
  const sessions = index.session.data;
  const kept = matchingUnits(index, q.filters, q, site, 'session');
  for (let j = site === -2 ? hi : lo; j < hi; j++) {
    if ((j & CHECK_MASK) === 0) index.budget.check();
    const i = rows[j]!;
    if (site >= 0 && sites[i] !== site) continue;
    const s = sessions[i]!;
    if (kept && kept[s] === 0) continue;
    const path = paths[i]!;
    if (last[s] === path) continue;
    if (last[s]! >= 0) bump(pairs, last[s]! * P + path);
    if (beforeLast[s]! >= 0)
      bump(
        triples,
        numeric ? (beforeLast[s]! * P + last[s]!) * P + path : `${beforeLast[s]},${last[s]},${path}`,
      );
    beforeLast[s] = last[s]!;
    last[s] = path;
  }
  const names = cols.dicts.path.values;
  const decode = (key: number | string, arity: number): string[] => {
    if (typeof key === 'string') return key.split(',').map((c) => names[Number(c)]!);
    const out: string[] = [];
    for (let k = key, n = 0; n < arity; n++, k = Math.floor(k / P)) out.unshift(names[k % P]!);
    return out;
  };
  const top = (counts: Map<number | string, number>, arity: number) => {
    // Only entries counted at least as often as the limit-th most frequent can make the list:
    // decode and sort those, not the tens of thousands of rare ones.
    const sorted = Float64Array.from(counts.values()).sort();
    const threshold = sorted.length > q.limit ? sorted[sorted.length - q.limit]! : 0;
    const picked: { path: string[]; count: number }[] = [];
    for (const [key, count] of counts)
      if (count >= threshold) picked.push({ path: decode(key, arity), count });
    return picked
      .sort((a, b) => b.count - a.count || cmp(a.path.join('\u0000'), b.path.join('\u0000')))
      .slice(0, q.limit);
  };
  return {
    transitions: top(pairs, 2).map(({ path, count }) => ({ from: path[0]!, to: path[1]!, count })),
    paths: top(triples, 3).map(({ path, count }) => ({ path: path as [string, string, string], count })),
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function bump<K>(map: Map<K, number>, key: K): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}
