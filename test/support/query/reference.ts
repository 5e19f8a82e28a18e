import type { StoredRecord } from '../../../storage/schema.ts';
import type { Filter, NormalizedQuery, QueryRow } from '../../../shared/api.ts';

/**
 * A deliberately naive implementation of the general query, written straight from the
 * definitions in shared/api.ts over plain record objects: no index, no codes, no
 * caches. The property test checks the columnar engine against it.
 */
export function referenceQuery(all: readonly StoredRecord[], q: NormalizedQuery): QueryRow[] {
  const records = all
    .map((r, order) => ({ r, order }))
    .filter(({ r }) => r.ts >= q.from && r.ts < q.to && (q.site === null || r.site === q.site))
    .sort((a, b) => a.r.ts - b.r.ts || a.order - b.order)
    .map(({ r }) => r);

  // Sessions over the in-range records.
  const sessionOf = new Map<StoredRecord, string>();
  const runs = new Map<string, { last: number; n: number }>();
  for (const r of records) {
    if (r.session) {
      sessionOf.set(r, `${r.site}|s|${r.session}`);
      continue;
    }
    const key = `${r.site}|v|${r.visitor}`;
    const run = runs.get(key);
    if (!run) runs.set(key, { last: r.ts, n: 0 });
    else {
      if (r.ts - run.last > 30 * 60_000) run.n++;
      run.last = r.ts;
    }
    sessionOf.set(r, `${key}|${runs.get(key)!.n}`);
  }
  const sessions = new Map<string, StoredRecord[]>();
  for (const r of records) {
    const s = sessionOf.get(r)!;
    if (!sessions.has(s)) sessions.set(s, []);
    sessions.get(s)!.push(r);
  }
  const pageviewsOf = (s: string) => sessions.get(s)!.filter((r) => r.kind === 'pageview');

  const value = (r: StoredRecord, dim: string): string => {
    const pvs = pageviewsOf(sessionOf.get(r)!);
    const entry = pvs[0];
    switch (dim) {
      case 'page':
        return r.path;
      case 'event:kind':
        return r.kind;
      case 'event:name':
        return r.name;
      case 'share:channel':
        return r.kind === 'share' ? r.name : '';
      case 'entry_page':
        return entry?.path ?? '';
      case 'exit_page':
        return pvs.at(-1)?.path ?? '';
      case 'source':
      case 'channel':
      case 'referrer':
      case 'utm_source':
      case 'utm_medium':
      case 'utm_campaign':
        return entry ? entry[dim] : '';
      case 'time:hour':
        return new Date(Math.floor(r.ts / 3_600_000) * 3_600_000).toISOString().slice(0, 13) + ':00:00Z';
      case 'time:day':
        return new Date(r.ts).toISOString().slice(0, 10);
      case 'time:month':
        return new Date(r.ts).toISOString().slice(0, 7);
      case 'time:week': {
        const d = new Date(
          Date.UTC(
            new Date(r.ts).getUTCFullYear(),
            new Date(r.ts).getUTCMonth(),
            new Date(r.ts).getUTCDate(),
          ),
        );
        d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
        return d.toISOString().slice(0, 10);
      }
      default:
        if (dim.startsWith('event:props:')) {
          const v = r.props[dim.slice(12)];
          return v === undefined ? '' : String(v);
        }
        return String((r as Record<string, unknown>)[dim]);
    }
  };
  const matches = (r: StoredRecord, f: Filter): boolean => {
    if (f[0] === 'and') return (f[1] as Filter[]).every((g) => matches(r, g));
    if (f[0] === 'or') return (f[1] as Filter[]).some((g) => matches(r, g));
    if (f[0] === 'not') return !matches(r, f[1] as Filter);
    const [op, dim, values] = f as [string, string, (string | number)[]];
    if (dim === 'visitor:action' || dim === 'visitor:share') {
      // Multi-valued: the names of the visitor's actions (shares) in the range.
      const kind = dim === 'visitor:action' ? 'action' : 'share';
      const names = records.filter((o) => o.visitor === r.visitor && o.kind === kind).map((o) => o.name);
      if (op === 'is_not') return !names.some((name) => leaf(name, 'is', values));
      return names.some((name) => leaf(name, op, values));
    }
    return leaf(value(r, dim), op, values);
  };
  const leaf = (v: string, op: string, values: (string | number)[]): boolean => {
    const texts = values.map(String);
    if (op === 'is') return texts.includes(v);
    if (op === 'is_not') return !texts.includes(v);
    if (op === 'contains') return texts.some((t) => v.toLowerCase().includes(t.toLowerCase()));
    if (op === 'matches') return texts.some((t) => new RegExp(t).test(v));
    if (v === '' || !Number.isFinite(Number(v))) return false;
    const n = Number(v);
    const limit = Number(texts[0]);
    return op === 'gt' ? n > limit : op === 'gte' ? n >= limit : op === 'lt' ? n < limit : n <= limit;
  };

  const matching = records.filter((r) => q.filters.every((f) => matches(r, f)));
  const groups = new Map<string, StoredRecord[]>();
  if (q.dimensions.length === 0) groups.set('[]', []);
  for (const r of matching) {
    const key = JSON.stringify(q.dimensions.map((d) => value(r, d)));
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(r);
  }
  const allVisitors = new Set(records.map((r) => r.visitor)).size;
  const r2 = (n: number) => Math.round(n * 100) / 100;

  return [...groups.entries()].map(([key, rs]) => {
    const sessionIds = [...new Set(rs.map((r) => sessionOf.get(r)!))];
    const withPv = sessionIds.filter((s) => pageviewsOf(s).length > 0);
    const bounced = withPv.filter(
      (s) =>
        pageviewsOf(s).length === 1 &&
        !sessions.get(s)!.some((r) => r.kind === 'action' || r.kind === 'share'),
    );
    const duration = sessionIds.reduce((sum, s) => {
      const list = sessions.get(s)!;
      return sum + (list.at(-1)!.ts - list[0]!.ts);
    }, 0);
    const count = (kind: string) => rs.filter((r) => r.kind === kind).length;
    const pageviews = count('pageview');
    const engaged = rs.filter((r) => r.kind === 'engagement').reduce((s, r) => s + r.engaged_ms, 0);
    const visitors = new Set(rs.map((r) => r.visitor)).size;
    const scroll = new Map<string, number>();
    for (const r of rs) {
      if (r.kind !== 'engagement') continue;
      const k = `${sessionOf.get(r)}\u0000${r.path}`;
      scroll.set(k, Math.max(scroll.get(k) ?? 0, r.scroll));
    }
    const metric = (m: string): number => {
      switch (m) {
        case 'visitors':
          return visitors;
        case 'sessions':
          return sessionIds.length;
        case 'pageviews':
          return pageviews;
        case 'events':
          return pageviews + count('action') + count('share');
        case 'actions':
          return count('action');
        case 'shares':
          return count('share');
        case 'recipients':
          return rs.filter((r) => r.kind === 'share').reduce((s, r) => s + r.recipients, 0);
        case 'users':
          return new Set(rs.filter((r) => r.user).map((r) => r.user)).size;
        case 'bounce_rate':
          return withPv.length ? r2((100 * bounced.length) / withPv.length) : 0;
        case 'session_duration':
          return sessionIds.length ? r2(duration / sessionIds.length / 1000) : 0;
        case 'views_per_session':
          return sessionIds.length ? r2(pageviews / sessionIds.length) : 0;
        case 'time_on_page':
          return pageviews ? r2(engaged / 1000 / pageviews) : 0;
        case 'total_time':
          return r2(engaged / 1000);
        case 'scroll_depth':
          return scroll.size ? r2([...scroll.values()].reduce((a, b) => a + b, 0) / scroll.size) : 0;
        case 'conversion_rate':
          return allVisitors ? r2((100 * visitors) / allVisitors) : 0;
        case 'first_seen':
          return rs.length ? Math.min(...rs.map((r) => r.ts)) : 0;
        case 'last_seen':
          return rs.length ? Math.max(...rs.map((r) => r.ts)) : 0;
        default: {
          const k = m.slice('prop_sum:'.length);
          return r2(
            rs.reduce((s, r) => s + (typeof r.props[k] === 'number' ? (r.props[k] as number) : 0), 0),
          );
        }
      }
    };
    return { dimensions: JSON.parse(key) as string[], metrics: q.metrics.map(metric) };
  });
}
