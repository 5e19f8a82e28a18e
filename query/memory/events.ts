import { isoTime } from '../../shared/time.ts';
import type { RecordKind } from '../../storage/schema.ts';
import type { BackendEvent, EventsRequest } from '../backend.ts';
import { needsUser, siteCode, usesSessionDimension } from './aggregate.ts';
import { KIND_CODE } from './columns.ts';
import { compileFilters } from './filters.ts';
import type { MemoryIndex } from './index.ts';
import { CHECK_MASK } from '../budget.ts';
import { sessionStats } from './session-stats.ts';

/** Matching records in time order, newest first when asked; no visitor hash leaves the index. */
export function events(index: MemoryIndex, q: EventsRequest): BackendEvent[] {
  index.ready();
  const cols = index.cols;
  const site = siteCode(index, q.site);
  const lo = index.lowerBound(q.from);
  const hi = index.lowerBound(q.to);
  const out: BackendEvent[] = [];
  if (site === -2) return out;
  const stats = usesSessionDimension(q.filters) ? sessionStats(index, q.from, q.to, site) : null;
  const filter = compileFilters(index, q.filters, stats, { from: q.from, to: q.to, site });
  // A user's events (user/{id}) are found among the identified rows only.
  const list = q.filters.some(needsUser) ? index.userRows : null;
  const from = list ? index.lowerBoundIn(list.data, list.length, q.from) : lo;
  const to = list ? index.lowerBoundIn(list.data, list.length, q.to) : hi;
  const step = q.order === 'asc' ? 1 : -1;
  for (let j = q.order === 'asc' ? from : to - 1; j >= from && j < to && out.length < q.limit; j += step) {
    const i = list ? list.data[j]! : j;
    if (site >= 0 && cols.dict.site.data[i] !== site) continue;
    if (q.skipEngagement && cols.dict.kind.data[i] === KIND_CODE.engagement) continue;
    if (filter && !filter(i)) continue;
    out.push(eventAt(index, i));
  }
  return out;
}

function eventAt(index: MemoryIndex, i: number): BackendEvent {
  const cols = index.cols;
  const ts = cols.ts.data[i]!;
  return {
    ts,
    time: isoTime(ts),
    session: `s${index.session.data[i]}`,
    kind: cols.text('kind', i) as RecordKind,
    site: cols.text('site', i),
    path: cols.text('path', i),
    name: cols.text('name', i),
    user: cols.text('user', i),
    props: { ...cols.props[i]! },
    source: cols.text('source', i),
    country: cols.text('country', i),
    device: cols.text('device', i),
    browser: cols.text('browser', i),
    engaged_ms: cols.ints.engaged_ms.data[i]!,
    scroll: cols.ints.scroll.data[i]!,
    recipients: cols.ints.recipients.data[i]!,
  };
}

/** Numeric prop keys per event name over the range, for the `actions` sums. */
export function numericPropKeys(
  index: MemoryIndex,
  q: { site: string | null; from: number; to: number; kind: RecordKind; names?: readonly string[] },
): Record<string, string[]> {
  index.ready();
  const cols = index.cols;
  const site = siteCode(index, q.site);
  const kind = KIND_CODE[q.kind];
  const keys = new Map<number, Set<string>>();
  const only = q.names ? new Set(q.names.map((n) => cols.dicts.name.lookup(n))) : null;
  // Only that kind's rows: actions are a few per cent of all records.
  const list = index.kindRows[kind];
  const rows = list?.data ?? new Int32Array(0);
  const lo = index.lowerBoundIn(rows, list?.length ?? 0, q.from);
  const hi = index.lowerBoundIn(rows, list?.length ?? 0, q.to);
  for (let j = site === -2 ? hi : lo; j < hi; j++) {
    if ((j & CHECK_MASK) === 0) index.budget.check();
    const i = rows[j]!;
    if (site >= 0 && cols.dict.site.data[i] !== site) continue;
    if (only && !only.has(cols.dict.name.data[i]!)) continue;
    const props = cols.props[i]!;
    for (const key in props) {
      if (typeof props[key] !== 'number') continue;
      const name = cols.dict.name.data[i]!;
      let set = keys.get(name);
      if (!set) keys.set(name, (set = new Set()));
      set.add(key);
    }
  }
  const out: Record<string, string[]> = {};
  for (const [name, set] of keys) out[cols.dicts.name.values[name]!] = [...set].sort();
  return out;
}
