import type { Dimension, Filter, VisitorFilterDimension } from '../../shared/api.ts';
import { CHECK_MASK } from '../budget.ts';
import { compileRegex } from '../regex.ts';
import { KIND_CODE } from './columns.ts';
import { dimensionReader } from './dimensions.ts';
import type { MemoryIndex } from './index.ts';
import type { SessionStats } from './session-stats.ts';

export type RowPredicate = (i: number) => boolean;

/** True when `value` passes one leaf operator (shared with the naive reference in tests). */
export function valueMatcher(op: string, values: (string | number)[]): (value: string) => boolean {
  const texts = values.map(String);
  switch (op) {
    case 'is': {
      const set = new Set(texts);
      return (v) => set.has(v);
    }
    case 'is_not': {
      const set = new Set(texts);
      return (v) => !set.has(v);
    }
    case 'contains': {
      const needles = texts.map((t) => t.toLowerCase());
      return (v) => {
        const lower = v.toLowerCase();
        return needles.some((n) => lower.includes(n));
      };
    }
    case 'matches': {
      const patterns = texts.map(compileRegex);
      return (v) => patterns.some((p) => p.test(v));
    }
    default: {
      const limit = Number(texts[0]);
      const test = (n: number) =>
        op === 'gt' ? n > limit : op === 'gte' ? n >= limit : op === 'lt' ? n < limit : n <= limit;
      return (v) => v !== '' && Number.isFinite(Number(v)) && test(Number(v));
    }
  }
}

/** The range a predicate runs over: `visitor:*` filters look at the whole of it. */
export interface FilterScope {
  from: number;
  to: number;
  /** site code (see siteCode): −1 every site */
  site: number;
}

/**
 * Compiles filters (implicitly and-ed) into a row predicate; null when there is none.
 * `visitor:action` / `visitor:share` need `scope`.
 */
export function compileFilters(
  index: MemoryIndex,
  filters: Filter[],
  stats: SessionStats | null,
  scope?: FilterScope,
): RowPredicate | null {
  if (filters.length === 0) return null;
  return all(filters.map((f) => compile(index, f, stats, scope)));
}

// Fixed-arity closures for the common cases: `every` over an array costs ~3× more per row.
function all(parts: RowPredicate[]): RowPredicate {
  if (parts.length === 1) return parts[0]!;
  if (parts.length === 2) {
    const [a, b] = parts as [RowPredicate, RowPredicate];
    return (i) => a(i) && b(i);
  }
  return (i) => parts.every((p) => p(i));
}

function any(parts: RowPredicate[]): RowPredicate {
  if (parts.length === 1) return parts[0]!;
  if (parts.length === 2) {
    const [a, b] = parts as [RowPredicate, RowPredicate];
    return (i) => a(i) || b(i);
  }
  return (i) => parts.some((p) => p(i));
}

function compile(
  index: MemoryIndex,
  filter: Filter,
  stats: SessionStats | null,
  scope: FilterScope | undefined,
): RowPredicate {
  if (filter[0] === 'and' || filter[0] === 'or') {
    const parts = (filter[1] as Filter[]).map((f) => compile(index, f, stats, scope));
    return filter[0] === 'and' ? all(parts) : any(parts);
  }
  if (filter[0] === 'not') {
    const inner = compile(index, filter[1] as Filter, stats, scope);
    return (i) => !inner(i);
  }
  if (filter[0] === 'visitor') {
    if (!scope) throw new Error("visitor filters need the query's range");
    return visitorsWith(index, compile(index, filter[1] as Filter, null, scope), scope);
  }
  const [op, key, values] = filter as [string, Dimension | VisitorFilterDimension, (string | number)[]];
  if (key === 'visitor:action' || key === 'visitor:share') {
    if (!scope) throw new Error(`${key} filters need the query's range`);
    return visitorFilter(index, key, op, values, scope);
  }
  const dim = key;
  const reader = dimensionReader(index, dim, stats);
  const test = budgeted(index, valueMatcher(op, values));
  // `matches` tests only the values that occur in the scanned rows (below), not the whole dictionary.
  if (reader.column && op !== 'matches') {
    // A plain dictionary column: decide every distinct value once, then a row is one lookup.
    const table = new Uint8Array(reader.bound!);
    for (let c = 0; c < table.length; c++) table[c] = test(reader.label(c)) ? 1 : 0;
    const data = reader.column;
    return (i) => table[data[i]!] === 1;
  }
  if (reader.bound !== undefined) {
    // 0 = not decided yet, 1 = matches, 2 = does not: each distinct value is tested once.
    const memo = new Uint8Array(reader.bound);
    return (i) => {
      const code = reader.code(i);
      let m = memo[code]!;
      if (m === 0) memo[code] = m = test(reader.label(code)) ? 1 : 2;
      return m === 1;
    };
  }
  const memo = new Map<number, boolean>();
  return (i) => {
    const code = reader.code(i);
    let m = memo.get(code);
    if (m === undefined) memo.set(code, (m = test(reader.label(code))));
    return m;
  };
}

// A value test can take a while (a regular expression over a 2,000-character path costs up to
// ~10 ms), so the query budget is checked every 16 distinct values tested.
function budgeted(index: MemoryIndex, test: (value: string) => boolean): (value: string) => boolean {
  let tested = 0;
  return (value) => {
    if ((++tested & 15) === 0) index.budget.check();
    return test(value);
  };
}

/**
 * `visitor:action` / `visitor:share` (see VISITOR_FILTER_DIMENSIONS): one pass over the range's
 * actions (or shares) marks the visitors with a passing name, then a row is one lookup.
 */
function visitorFilter(
  index: MemoryIndex,
  dim: 'visitor:action' | 'visitor:share',
  op: string,
  values: (string | number)[],
  scope: FilterScope,
): RowPredicate {
  const test = valueMatcher(op === 'is_not' ? 'is' : op, values);
  const nameValues = index.cols.dicts.name.values;
  const passes = new Uint8Array(nameValues.length);
  for (let c = 0; c < passes.length; c++) passes[c] = test(nameValues[c]!) ? 1 : 0;
  const visitors = index.cols.dict.visitor.data;
  const marked = new Uint8Array(index.cols.dicts.visitor.size);
  const list = index.kindRows[dim === 'visitor:action' ? KIND_CODE.action : KIND_CODE.share];
  if (list) {
    const names = index.cols.dict.name.data;
    const sites = index.cols.dict.site.data;
    const end = index.lowerBoundIn(list.data, list.length, scope.to);
    for (let j = index.lowerBoundIn(list.data, list.length, scope.from); j < end; j++) {
      if ((j & CHECK_MASK) === 0) index.budget.check();
      const i = list.data[j]!;
      if (scope.site >= 0 && sites[i] !== scope.site) continue;
      if (passes[names[i]!] === 1) marked[visitors[i]!] = 1;
    }
  }
  return op === 'is_not' ? (i) => marked[visitors[i]!] === 0 : (i) => marked[visitors[i]!] === 1;
}

/**
 * `['visitor', filter]`: one pass over the range's records marks the visitors with a record that
 * passes `inner` (record dimensions only, so no session stats), then a row is one lookup.
 */
function visitorsWith(index: MemoryIndex, inner: RowPredicate, scope: FilterScope): RowPredicate {
  const visitors = index.cols.dict.visitor.data;
  const sites = index.cols.dict.site.data;
  const marked = new Uint8Array(index.cols.dicts.visitor.size);
  const end = index.lowerBound(scope.to);
  for (let i = scope.site === -2 ? end : index.lowerBound(scope.from); i < end; i++) {
    if ((i & CHECK_MASK) === 0) index.budget.check();
    if (scope.site >= 0 && sites[i] !== scope.site) continue;
    if (marked[visitors[i]!] === 0 && inner(i)) marked[visitors[i]!] = 1;
  }
  return (i) => marked[visitors[i]!] === 1;
}
