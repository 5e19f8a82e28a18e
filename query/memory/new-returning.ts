import type { NormalizedQuery } from '../../shared/api.ts';
import { siteCode } from './aggregate.ts';
import type { MemoryIndex } from './index.ts';
import { CHECK_MASK } from '../budget.ts';

/**
 * New and returning identified users of a range without filters (see compose/new-returning.ts):
 * one pass over the range's identified rows, each user's first record read from the index
 * instead of grouping the whole history by user.
 */
export function newVsReturningUsers(
  index: MemoryIndex,
  q: Pick<NormalizedQuery, 'site' | 'from' | 'to'>,
): { new_users: number; returning_users: number } {
  index.ready();
  const site = siteCode(index, q.site);
  const counts = { new_users: 0, returning_users: 0 };
  if (site === -2) return counts;
  const rows = index.userRows;
  const sites = index.cols.dict.site.data;
  const users = index.cols.dict.user.data;
  const seen = new Uint8Array(index.cols.dicts.user.size);
  const end = index.lowerBoundIn(rows.data, rows.length, q.to);
  for (let j = index.lowerBoundIn(rows.data, rows.length, q.from); j < end; j++) {
    if ((j & CHECK_MASK) === 0) index.budget.check();
    const i = rows.data[j]!;
    if (site >= 0 && sites[i] !== site) continue;
    const user = users[i]!;
    if (seen[user]) continue;
    seen[user] = 1;
    if (index.firstSeen(user, site) >= q.from) counts.new_users++;
    else counts.returning_users++;
  }
  return counts;
}
