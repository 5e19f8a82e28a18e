import { funnelResponse } from '../report-shape.ts';
import type { FunnelResponse, FunnelStep } from '../../shared/api.ts';
import type { NormalizedFunnel } from '../backend.ts';
import type { ClickHouseConnection } from './connection.ts';
import { raw, sql, type SqlFragment } from './sql.ts';
import { filtersExpr, filtersUseSessions } from './expressions.ts';
import { plainRows, type RangeScope } from './prepared.ts';
import { sessionizedRows } from './session-build.ts';
import type { SessionTables } from './session-tables.ts';
import { rows } from './run.ts';

// 18.16's windowFunnel goes wrong once times or the window pass 2^31, though they are UInt32.
const INT32_MAX = 2_147_483_647;

/**
 * Funnel with windowFunnel, per session or per visitor (see "Funnel" in shared/api.ts).
 * 18.16's windowFunnel takes only DateTime/UInt32 times, so times are milliseconds since the
 * range start when the range is under 24 days, and coarser steps beyond (4 ms for 90 days).
 */
export async function funnel(
  conn: ClickHouseConnection,
  table: SqlFragment,
  sessions: SessionTables,
  q: NormalizedFunnel,
): Promise<FunnelResponse> {
  const scope: RangeScope = { table, site: q.site, from: q.from, to: q.to };
  const bySession = q.windowMs === null;
  const sessionFilters = filtersUseSessions(q.filters);
  const where = filtersExpr(q.filters, scope);
  const anyStep = raw(q.steps.map((s) => `(${stepCondition(s).text})`).join(' OR '));
  // Per session, only the units with a matching step are sessionized, in the statement itself.
  // Session filters (source, entry page, UTM…) need the session attributes even per visitor.
  const matching = sql`(${where}) AND (${anyStep})`;
  const source =
    bySession && !sessionFilters
      ? sessionizedRows(scope, ['visitor', 'kind', 'path', 'name'], matching, matching)
      : sessionFilters
        ? await sessions.get(scope)
        : plainRows(scope);
  const kept = bySession && !sessionFilters ? raw('1') : where;
  const scale = Math.max(1, Math.ceil((q.to - q.from) / INT32_MAX));
  const window = bySession ? INT32_MAX : Math.min(INT32_MAX, Math.ceil(q.windowMs! / scale));
  const conditions = q.steps.map((s) => stepCondition(s).text).join(', ');
  const unit = bySession ? 'sess' : 'visitor';
  const result = await rows<{ level: number; visitors: number }>(
    conn,
    sql`SELECT level, count() AS visitors FROM (
      SELECT who, max(level) AS level FROM (
        SELECT ${raw(unit)} AS unit, any(visitor) AS who,
          windowFunnel(${window})(toUInt32(intDiv(ts - ${q.from}, ${scale})), ${raw(conditions)}) AS level
        FROM (${source}) WHERE ${kept}
        GROUP BY unit
      ) GROUP BY who
    ) WHERE level > 0 GROUP BY level`,
  );
  const counts = new Array<number>(q.steps.length).fill(0);
  for (const { level, visitors } of result)
    for (let k = 0; k < Number(level); k++) counts[k]! += Number(visitors);
  return funnelResponse(q.steps, counts);
}

function stepCondition(step: FunnelStep): SqlFragment {
  if (step.type === 'page')
    return step.value === '*' ? raw(`kind = 'pageview'`) : sql`kind = 'pageview' AND path = ${step.value}`;
  const kind = step.type === 'action' ? 'action' : 'share';
  if (step.value === undefined || step.value === '*') return sql`kind = ${kind}`;
  return sql`kind = ${kind} AND name = ${step.value}`;
}
