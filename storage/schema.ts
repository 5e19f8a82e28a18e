/**
 * The stored record: one JSON object per line in the day files, and one row in ClickHouse.
 *
 * RECORD_FIELDS is the single description of that record. The JSON Lines writer, the columnar
 * index and the ClickHouse DDL all read it, so adding a field here is the only change a new
 * dimension needs at the storage layer.
 *
 * There is deliberately no IP and no raw user-agent field: the collector turns both into the
 * derived values below inside the request and then drops them.
 */

import { RECORD_KINDS, type PropValue, type RecordKind } from '../shared/record.ts';

export { RECORD_KINDS, type PropValue, type RecordKind };

/**
 * How a field is stored: 'time' epoch milliseconds, 'dict' a low-cardinality string (dictionary
 * encoded in the index), 'int' a non-negative integer, 'props' a flat map of scalars.
 */
export type FieldType = 'time' | 'dict' | 'int' | 'props';

export const RECORD_FIELDS = {
  /** server receive time, epoch ms; the client can never set it */
  ts: 'time',
  kind: 'dict',
  site: 'dict',
  /** salted daily hash of site + IP + user agent; not linkable across days */
  visitor: 'dict',
  /** explicit session key from the server-side API (seed's session_id); empty for beacon events */
  session: 'dict',
  /** the site's own user id (identify / server-side tracking); empty when anonymous */
  user: 'dict',
  /** normalised page path (plus #fragment with hash routing) */
  path: 'dict',
  /** external referrer, origin + path only */
  referrer: 'dict',
  /** traffic source name (Google, Hacker News, utm_source…) */
  source: 'dict',
  /** channel: search, social, email, referral, direct, paid, campaign */
  channel: 'dict',
  utm_source: 'dict',
  utm_medium: 'dict',
  utm_campaign: 'dict',
  utm_term: 'dict',
  utm_content: 'dict',
  /** ISO 3166-1 alpha-2, empty when unknown */
  country: 'dict',
  region: 'dict',
  city: 'dict',
  browser: 'dict',
  os: 'dict',
  /** desktop, mobile, tablet, … */
  device: 'dict',
  /** action name for 'action', share channel for 'share' */
  name: 'dict',
  /** engaged milliseconds added by this engagement record */
  engaged_ms: 'int',
  /** maximum scroll depth in percent seen so far on the page */
  scroll: 'int',
  /** share recipients */
  recipients: 'int',
  /** shared link (shares) */
  link: 'dict',
  /** native share outcome: 'completed', 'cancelled' or empty */
  outcome: 'dict',
  /** client-reported queue age, used only to order events that arrived together */
  age_ms: 'int',
  props: 'props',
} as const satisfies Record<string, FieldType>;

export type FieldName = keyof typeof RECORD_FIELDS;

type ValueOf<T extends FieldType> = T extends 'time' | 'int'
  ? number
  : T extends 'dict'
    ? string
    : Record<string, PropValue>;

/** Every field present; empty string / 0 / {} stand for "not set" so columns never hold undefined. */
export type StoredRecord = { [K in FieldName]: ValueOf<(typeof RECORD_FIELDS)[K]> } & { kind: RecordKind };

/** A record with every field at its empty value; build records from this so none is missing. */
export function emptyRecord(kind: RecordKind, ts: number, site: string): StoredRecord {
  return {
    ts,
    kind,
    site,
    visitor: '',
    session: '',
    user: '',
    path: '',
    referrer: '',
    source: '',
    channel: '',
    utm_source: '',
    utm_medium: '',
    utm_campaign: '',
    utm_term: '',
    utm_content: '',
    country: '',
    region: '',
    city: '',
    browser: '',
    os: '',
    device: '',
    name: '',
    engaged_ms: 0,
    scroll: 0,
    recipients: 0,
    link: '',
    outcome: '',
    age_ms: 0,
    props: {},
  };
}

/**
 * Writes a record compactly: empty values are left out of the line (a page view is about half
 * the bytes this way) and `readRecord` fills them back in.
 */
export function serializeRecord(record: StoredRecord): string {
  const out: Record<string, unknown> = {};
  for (const key in record) {
    const value = record[key as FieldName];
    if (value === '' || value === 0 || (typeof value === 'object' && Object.keys(value).length === 0))
      continue;
    out[key] = value;
  }
  return JSON.stringify(out);
}

const FIELD_TYPES = new Map<string, FieldType>(Object.entries(RECORD_FIELDS));
const KINDS = new Set<string>(RECORD_KINDS);

/**
 * Parses one stored line back into a full record, or returns null when the line is not a record
 * we wrote (corrupt, hand-edited or torn). Unknown keys are ignored. Only the keys present in the
 * line are visited (about a third of the schema for a page view): this runs once per record when
 * the index loads, so it is the largest cost of start-up after JSON.parse itself.
 */
export function parseRecordLine(line: string): StoredRecord | null {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return null;
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return null;
  const obj = raw as Record<string, unknown>;
  const { ts, site, kind } = obj;
  if (typeof ts !== 'number' || !Number.isFinite(ts) || typeof site !== 'string') return null;
  if (typeof kind !== 'string' || !KINDS.has(kind)) return null;
  const record = emptyRecord(kind as RecordKind, ts, site);
  const target = record as unknown as Record<string, unknown>;
  for (const key in obj) {
    // A Map, not an object lookup: a "__proto__" key in the line must find nothing.
    const type = FIELD_TYPES.get(key);
    if (type === undefined) continue;
    const value = obj[key];
    if (type === 'dict') {
      if (typeof value !== 'string') return null;
      target[key] = value;
    } else if (type === 'int' || type === 'time') {
      if (typeof value !== 'number' || !Number.isFinite(value)) return null;
      target[key] = value;
    } else {
      if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
      const props: Record<string, PropValue> = {};
      for (const [k, v] of Object.entries(value)) {
        if (k === '__proto__') continue;
        if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') props[k] = v;
      }
      record.props = props;
    }
  }
  return record;
}
