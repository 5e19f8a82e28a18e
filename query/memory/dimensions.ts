import { RECORD_DIMENSION_FIELD, SESSION_DIMENSIONS, type Dimension } from '../../shared/api.ts';
import { bucketLabel, bucketStart, type Interval } from '../../shared/time.ts';
import type { Codes } from './code-column.ts';
import { Dictionary } from './dictionary.ts';
import { KIND_CODE } from './columns.ts';
import type { MemoryIndex } from './index.ts';
import type { SessionStats } from './session-stats.ts';

/**
 * A dimension as dense integer codes per row, so group-bys and filters index arrays instead of
 * hashing strings. `label` turns a code back into the API's string.
 */
export interface DimensionReader {
  code(i: number): number;
  label(code: number): string;
  /** when set, codes are < this and label is cheap, so filters can memoise per code */
  bound?: number;
  /** set when the code of row i is simply column[i] */
  column?: Codes;
}

export function isSessionDimension(dim: string): boolean {
  return (SESSION_DIMENSIONS as readonly string[]).includes(dim);
}

/** The record column behind each session dimension (read at the session's first or last page view). */
export const SESSION_COLUMN = {
  entry_page: 'path',
  exit_page: 'path',
  source: 'source',
  channel: 'channel',
  referrer: 'referrer',
  utm_source: 'utm_source',
  utm_medium: 'utm_medium',
  utm_campaign: 'utm_campaign',
} as const;

/** Builds the reader of `dim`; session dimensions need the range's session stats. */
export function dimensionReader(
  index: MemoryIndex,
  dim: Dimension,
  stats: SessionStats | null,
): DimensionReader {
  const cols = index.cols;
  if (dim in RECORD_DIMENSION_FIELD) {
    const field = RECORD_DIMENSION_FIELD[dim as keyof typeof RECORD_DIMENSION_FIELD];
    const data = cols.dict[field].data;
    const values = cols.dicts[field].values;
    return { code: (i) => data[i]!, label: (c) => values[c]!, bound: values.length, column: data };
  }
  if (dim === 'share:channel') {
    const names = cols.dict.name.data;
    const kinds = cols.dict.kind.data;
    const values = cols.dicts.name.values;
    return {
      code: (i) => (kinds[i] === KIND_CODE.share ? names[i]! : 0),
      label: (c) => values[c]!,
      bound: values.length,
    };
  }
  if (dim in SESSION_COLUMN) {
    if (!stats) throw new Error(`session stats needed for ${dim}`);
    const field = SESSION_COLUMN[dim as keyof typeof SESSION_COLUMN];
    const data = cols.dict[field].data;
    const values = cols.dicts[field].values;
    const rows = dim === 'exit_page' ? stats.lastPv : stats.firstPv;
    const sessions = index.session.data;
    const base = stats.base;
    return {
      code: (i) => {
        const row = rows[sessions[i]! - base]!;
        return row < 0 ? 0 : data[row]!;
      },
      label: (c) => values[c]!,
      bound: values.length,
    };
  }
  if (dim.startsWith('time:')) return timeReader(index, dim.slice(5) as Interval);
  if (dim.startsWith('event:props:')) {
    const key = dim.slice('event:props:'.length);
    const props = cols.props;
    const local = new Dictionary();
    return {
      code: (i) => {
        // Own properties only: `constructor` or `__proto__` would read Object.prototype (review L6).
        const own = props[i]!;
        const value = Object.hasOwn(own, key) ? own[key] : undefined;
        return value === undefined ? 0 : local.encode(String(value));
      },
      label: (c) => local.values[c]!,
    };
  }
  throw new Error(`unknown dimension ${dim}`);
}

function timeReader(index: MemoryIndex, interval: Interval): DimensionReader {
  const ts = index.cols.ts.data;
  const starts: number[] = [];
  const codes = new Map<number, number>();
  // Rows are sorted, so consecutive rows mostly share a bucket: remember the last one.
  let lastStart = NaN;
  let lastEnd = NaN;
  let lastCode = -1;
  return {
    code: (i) => {
      const t = ts[i]!;
      if (t >= lastStart && t < lastEnd) return lastCode;
      const start = bucketStart(t, interval);
      let code = codes.get(start);
      if (code === undefined) {
        code = starts.length;
        starts.push(start);
        codes.set(start, code);
      }
      lastStart = start;
      lastEnd =
        interval === 'month' ? bucketStart(start + 32 * 86_400_000, 'month') : start + spanOf(interval);
      lastCode = code;
      return code;
    },
    label: (c) => bucketLabel(starts[c]!, interval),
  };
}

function spanOf(interval: Exclude<Interval, 'month'>): number {
  return interval === 'hour' ? 3_600_000 : interval === 'day' ? 86_400_000 : 7 * 86_400_000;
}
