import type { RetentionResponse } from '../../shared/api.ts';
import type { RetentionQuery } from '../backend.ts';
import { bucketStart, DAY_MS } from '../../shared/time.ts';
import { retentionResponse } from '../report-shape.ts';
import { siteCode } from './aggregate.ts';
import type { MemoryIndex } from './index.ts';
import { CHECK_MASK } from '../budget.ts';
import { matchingUnits } from './matching-units.ts';

const WEEK_MS = 7 * DAY_MS;

/** Weekly cohorts of identified users (see "Retention" in ../types.ts). */
export function retention(index: MemoryIndex, q: RetentionQuery): RetentionResponse {
  index.ready();
  const cols = index.cols;
  const site = siteCode(index, q.site);
  const ts = cols.ts.data;
  const users = cols.dict.user.data;
  const kept = matchingUnits(index, q.filters, q, site, 'user');
  // Rows are in time order, so a user's weeks arrive in order: keep only week changes.
  const firstWeek = new Map<number, number>();
  const lastWeek = new Float64Array(cols.dicts.user.size).fill(-1);
  const activeWeeks = new Map<number, number[]>();
  for (let i = site === -2 ? cols.length : 0; i < cols.length; i++) {
    if ((i & CHECK_MASK) === 0) index.budget.check();
    const user = users[i]!;
    if (user === 0 || (kept && kept[user] === 0)) continue;
    if (site >= 0 && cols.dict.site.data[i] !== site) continue;
    const t = ts[i]!;
    if (t >= lastWeek[user]! && t < lastWeek[user]! + WEEK_MS) continue;
    const week = bucketStart(t, 'week');
    lastWeek[user] = week;
    if (!firstWeek.has(user)) {
      firstWeek.set(user, week);
      activeWeeks.set(user, []);
    }
    activeWeeks.get(user)!.push(week);
  }
  const currentWeek = bucketStart(q.now, 'week');
  const cohorts = new Map<number, number[]>();
  for (const [user, week] of firstWeek) {
    if (week < q.from || week >= q.to) continue;
    let cells = cohorts.get(week);
    if (!cells)
      cohorts.set(week, (cells = new Array<number>(Math.round((currentWeek - week) / WEEK_MS) + 1).fill(0)));
    for (const active of activeWeeks.get(user)!) {
      const w = Math.round((active - week) / WEEK_MS);
      if (w < cells.length) cells[w]!++;
    }
  }
  return retentionResponse(cohorts);
}
