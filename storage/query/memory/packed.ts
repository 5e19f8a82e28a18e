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
const FIRST_TS = FIELDS.indexOf('firstTs');
const LAST_TS = FIELDS.indexOf('lastTs');
const KEY_SEPARATOR = '\u0000';

export function pack(part: PartResult, dims: number, props: number): Packed {
  const width = FIELDS.length + props;
  const values = new Float64Array(part.groups.length * width);
  part.groups.forEach((g, n) => {
    const at = n * width;
    for (let f = 0; f < FIELDS.length; f++) values[at + f] = g[FIELDS[f]!];
    for (let k = 0; k < props; k++) values[at + FIELDS.length + k] = g.propSums[k]!;
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
  let values = new Float64Array(width * 64);
  let visitors = 0;
  for (const part of parts) {
    visitors += part.visitors;
    for (let n = 0; n < part.keys.length; n++) {
      const key = part.keys[n]!;
      const from = n * width;
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
        values.set(part.values.subarray(from, from + width), g * width);
        continue;
      }
      const to = g * width;
      for (let f = 0; f < width; f++) {
        const v = part.values[from + f]!;
        if (f === FIRST_TS) {
          if (v < values[to + f]!) values[to + f] = v;
        } else if (f === LAST_TS) {
          if (v > values[to + f]!) values[to + f] = v;
        } else values[to + f]! += v;
      }
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
    for (let f = 0; f < FIELDS.length; f++) g[FIELDS[f]!] = packed.values[at + f]!;
    for (let k = 0; k < props; k++) g.propSums[k] = packed.values[at + FIELDS.length + k]!;
    return g;
  });
  return { groups, visitors: packed.visitors };
}
