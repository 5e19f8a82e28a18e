import { Group, type PartResult } from './aggregate.ts';

/**
 * A part result packed for caching and merging: one string key per group and every figure in one
 * Float64Array (FIELDS, then the prop sums). A cached 90-day rollup holds a few hundred thousand
 * groups; as Group objects they took about 260 bytes each, packed about 140, and merging adds
 * numbers in place instead of allocating a Group per key.
 */
export interface Packed {
  /** the dimension value, or the values joined by KEY_SEPARATOR when there are several */
  keys: string[];
  /** how many dimensions the query groups by */
  dims: number;
  /** each group's dimension values, kept only when there are several (keys would be ambiguous) */
  labels: string[][] | null;
  values: Float64Array;
  width: number;
  visitors: number;
}

const FIELDS = [
  'visitors',
  'sessions',
  'users',
  'pageviews',
  'actions',
  'shares',
  'engagedMs',
  'recipients',
  'firstTs',
  'lastTs',
  'sessionsWithPv',
  'bounced',
  'durationMs',
  'scrollSum',
  'scrollCount',
] as const satisfies readonly (keyof Group)[];

/** values per group before the prop sums */
export const PACKED_WIDTH = FIELDS.length;
// Adjacent, so merging adds the fields before and after them in two plain loops.
const FIRST_TS = FIELDS.indexOf('firstTs');
const LAST_TS = FIRST_TS + 1;
const KEY_SEPARATOR = '\u0000';

export function pack(part: PartResult, dims: number, props: number): Packed {
  const width = FIELDS.length + props;
  const values = new Float64Array(part.groups.length * width);
  // Field by field rather than through FIELDS: computed property access was most of the cost.
  part.groups.forEach((g, n) => {
    const at = n * width;
    values[at + 0] = g.visitors;
    values[at + 1] = g.sessions;
    values[at + 2] = g.users;
    values[at + 3] = g.pageviews;
    values[at + 4] = g.actions;
    values[at + 5] = g.shares;
    values[at + 6] = g.engagedMs;
    values[at + 7] = g.recipients;
    values[at + 8] = g.firstTs;
    values[at + 9] = g.lastTs;
    values[at + 10] = g.sessionsWithPv;
    values[at + 11] = g.bounced;
    values[at + 12] = g.durationMs;
    values[at + 13] = g.scrollSum;
    values[at + 14] = g.scrollCount;
    for (let k = 0; k < props; k++) values[at + PACKED_WIDTH + k] = g.propSums[k]!;
  });
  return {
    keys: part.groups.map((g) => (dims === 1 ? g.labels[0]! : g.labels.join(KEY_SEPARATOR))),
    dims,
    labels: dims > 1 ? part.groups.map((g) => g.labels) : null,
    values,
    width,
    visitors: part.visitors,
  };
}

/** Adds packed results of one query shape, group by group (time bounds by min and max). */
export function mergePacked(parts: Packed[], dims: number, width: number): Packed {
  const index = new Map<string, number>();
  const keys: string[] = [];
  const labels: string[][] = [];
  let values = new Float64Array(width * 256);
  let visitors = 0;
  for (const part of parts) {
    visitors += part.visitors;
    const from = part.values;
    for (let n = 0; n < part.keys.length; n++) {
      const key = part.keys[n]!;
      const src = n * width;
      let g = index.get(key);
      if (g === undefined) {
        g = keys.length;
        index.set(key, g);
        keys.push(key);
        if (part.labels) labels.push(part.labels[n]!);
        if ((g + 1) * width > values.length) {
          const grown = new Float64Array(values.length * 2);
          grown.set(values);
          values = grown;
        }
        const dst = g * width;
        for (let f = 0; f < width; f++) values[dst + f] = from[src + f]!;
        continue;
      }
      const dst = g * width;
      // Every figure adds up except the time bounds, which merge by min and max.
      for (let f = 0; f < FIRST_TS; f++) values[dst + f]! += from[src + f]!;
      for (let f = LAST_TS + 1; f < width; f++) values[dst + f]! += from[src + f]!;
      const first = from[src + FIRST_TS]!;
      const last = from[src + LAST_TS]!;
      if (first < values[dst + FIRST_TS]!) values[dst + FIRST_TS] = first;
      if (last > values[dst + LAST_TS]!) values[dst + LAST_TS] = last;
    }
  }
  return {
    keys,
    dims,
    labels: dims > 1 ? labels : null,
    values: values.slice(0, keys.length * width),
    width,
    visitors,
  };
}

/** Back to Group objects, for finishRows. */
export function unpack(packed: Packed): PartResult {
  const props = packed.width - FIELDS.length;
  const groups = packed.keys.map((key, n) => {
    const g = new Group([], props);
    g.labels = packed.labels ? packed.labels[n]! : packed.dims === 1 ? [key] : [];
    const at = n * packed.width;
    const v = packed.values;
    g.visitors = v[at + 0]!;
    g.sessions = v[at + 1]!;
    g.users = v[at + 2]!;
    g.pageviews = v[at + 3]!;
    g.actions = v[at + 4]!;
    g.shares = v[at + 5]!;
    g.engagedMs = v[at + 6]!;
    g.recipients = v[at + 7]!;
    g.firstTs = v[at + 8]!;
    g.lastTs = v[at + 9]!;
    g.sessionsWithPv = v[at + 10]!;
    g.bounced = v[at + 11]!;
    g.durationMs = v[at + 12]!;
    g.scrollSum = v[at + 13]!;
    g.scrollCount = v[at + 14]!;
    for (let k = 0; k < props; k++) g.propSums[k] = v[at + PACKED_WIDTH + k]!;
    return g;
  });
  return { groups, visitors: packed.visitors };
}
