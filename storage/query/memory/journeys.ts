import type { JourneysResponse } from '../types.ts';
import { siteCode } from './aggregate.ts';
import { KIND_CODE } from './columns.ts';
import type { MemoryIndex } from './index.ts';

/** Top page-to-page transitions and paths of three pages (see "Journeys" in ../types.ts). */
export function journeys(
  index: MemoryIndex,
  q: { site: string | null; from: number; to: number; limit: number },
): JourneysResponse {
  index.ready();
  const cols = index.cols;
  const site = siteCode(index, q.site);
  const lo = index.lowerBound(q.from);
  const hi = index.lowerBound(q.to);
  const last = new Int32Array(index.sessionCount).fill(-1);
  const beforeLast = new Int32Array(index.sessionCount).fill(-1);
  const pairs = new Map<string, number>();
  const triples = new Map<string, number>();
  const kinds = cols.dict.kind.data;
  const paths = cols.dict.path.data;
  const sessions = index.session.data;
  for (let i = site === -2 ? hi : lo; i < hi; i++) {
    if (kinds[i] !== KIND_CODE.pageview) continue;
    if (site >= 0 && cols.dict.site.data[i] !== site) continue;
    const s = sessions[i]!;
    const path = paths[i]!;
    if (last[s] === path) continue;
    if (last[s]! >= 0) bump(pairs, `${last[s]},${path}`);
    if (beforeLast[s]! >= 0) bump(triples, `${beforeLast[s]},${last[s]},${path}`);
    beforeLast[s] = last[s]!;
    last[s] = path;
  }
  const names = cols.dicts.path.values;
  const decode = (key: string) => key.split(',').map((c) => names[Number(c)]!);
  return {
    transitions: top(pairs, q.limit).map(([key, count]) => {
      const [from, to] = decode(key) as [string, string];
      return { from, to, count };
    }),
    paths: top(triples, q.limit).map(([key, count]) => ({
      path: decode(key) as [string, string, string],
      count,
    })),
  };

  function top(counts: Map<string, number>, limit: number): [string, number][] {
    return [...counts.entries()]
      .map(([key, count]) => [decode(key).join('\u0000'), count, key] as const)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, limit)
      .map(([, count, key]) => [key, count]);
  }
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}
