import type { Codes } from '../code-column.ts';
import { createHash } from 'node:crypto';
import { endianness } from 'node:os';
import * as zlib from 'node:zlib';
import { RECORD_FIELDS, RECORD_KINDS, type PropValue } from '../../../storage/schema.ts';
import type { StoredFile } from '../../../storage/types.ts';
import { Columns, DICT_FIELDS, INT_FIELDS } from '../columns.ts';
import type { Growable } from '../growable.ts';

/**
 * The binary layout of an index snapshot (see snapshot.ts for when one is written and read):
 *
 *   "CFAIDX\n\0"   8 bytes
 *   header length  uint32 LE
 *   header         JSON: format, schema fingerprint, rows, the watermark, the sections' types and sizes
 *   sections       each padded to 8 bytes: ts (float64), one code column per dictionary field and
 *                  one column per int field (uint8, uint16 or int32, whichever fits), the
 *                  dictionaries (one JSON object of string arrays), the rows that have props
 *                  (int32) and their props (JSON array)
 *   CRC-32s        uint32 LE of magic + header, then of the sections (13 ms per 50 MB; SHA-1 took 80)
 *
 * Typed arrays are written as raw bytes in the machine's order (little-endian everywhere Node
 * runs; a big-endian reader refuses the file). Narrow columns matter: most dictionaries hold
 * fewer than 256 strings, so 1M rows take about 45 MB instead of 125 MB.
 */

export const SNAPSHOT_FORMAT = 1;
const MAGIC = Buffer.from('CFAIDX\n\0', 'latin1');
const DIGEST = 8;
// zlib.crc32 arrived in Node 20.15; on older versions snapshots are refused, not mis-read.
const crc32 = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;
const LITTLE_ENDIAN = endianness() === 'LE';

/** Changes with RECORD_FIELDS or RECORD_KINDS, so a snapshot of another schema is never read. */
export const SCHEMA_FINGERPRINT = createHash('sha1')
  .update(JSON.stringify([RECORD_FIELDS, RECORD_KINDS]))
  .digest('hex')
  .slice(0, 16);

/** Which stored bytes a snapshot holds: every day file as it was when the columns were taken. */
export type FileMark = Omit<StoredFile, 'path'>;

type SectionType = 'f64' | 'i32' | 'u16' | 'u8' | 'json';
interface Section {
  name: string;
  type: SectionType;
  bytes: number;
}
interface Header {
  format: number;
  schema: string;
  little_endian: boolean;
  rows: number;
  written_at: number;
  files: FileMark[];
  sections: Section[];
}

/** A snapshot that cannot be used; the message says why (it is logged). */
export class SnapshotError extends Error {
  override name = 'SnapshotError';
}

/**
 * The first `rows` rows of some columns, by reference. Rows below `rows` never change in place
 * (appends go past them, sorting and retain build new arrays), so a view taken while ingestion
 * is paused can be encoded afterwards, in the background.
 */
export interface ColumnsView {
  rows: number;
  ts: Float64Array;
  dict: Record<string, Codes>;
  dictValues: Record<string, readonly string[]>;
  ints: Record<string, Int32Array>;
  props: readonly Record<string, PropValue>[];
}

/** Takes a view of `cols` (O(fields), no copy). */
export function viewColumns(cols: Columns): ColumnsView {
  const dict: Record<string, Codes> = {};
  const dictValues: Record<string, readonly string[]> = {};
  const ints: Record<string, Int32Array> = {};
  for (const f of DICT_FIELDS) {
    dict[f] = cols.dict[f].data;
    dictValues[f] = cols.dicts[f].values.slice();
  }
  for (const f of INT_FIELDS) ints[f] = cols.ints[f].data;
  return { rows: cols.length, ts: cols.ts.data, dict, dictValues, ints, props: cols.props };
}

/**
 * Encodes a view and its watermark as the file's bytes (a list of buffers, written in order).
 * `pause` is awaited between sections, so a caller can let the event loop breathe: the longest
 * stretch without one is a single column (a few ms per million rows) or the props' JSON.
 */
export async function encodeSnapshot(
  view: ColumnsView,
  files: FileMark[],
  writtenAt: number,
  pause: () => Promise<void> = async () => undefined,
): Promise<Buffer[]> {
  if (!LITTLE_ENDIAN) throw new SnapshotError('snapshots need a little-endian machine');
  if (!crc32) throw new SnapshotError('snapshots need Node 20.15 or later (zlib.crc32)');
  const n = view.rows;
  const sections: Section[] = [];
  const bodies: Buffer[] = [];
  let bodyCrc = 0;
  const add = async (name: string, type: SectionType, bytes: Buffer) => {
    const padding = Buffer.alloc(pad8(bytes.length));
    sections.push({ name, type, bytes: bytes.length });
    bodies.push(bytes, padding);
    // Node 20's zlib.crc32 answers 0 for an empty view of an empty ArrayBuffer (props.rows when
    // no row has props), dropping the running value: every such snapshot failed its checksum.
    if (bytes.length > 0) bodyCrc = crc32(bytes, bodyCrc);
    if (padding.length > 0) bodyCrc = crc32(padding, bodyCrc);
    await pause();
  };
  await add('ts', 'f64', raw(view.ts.slice(0, n)));
  for (const f of DICT_FIELDS)
    await add(`dict.${f}`, ...narrow(view.dict[f]!, n, 0, view.dictValues[f]!.length - 1));
  for (const f of INT_FIELDS) {
    const data = view.ints[f]!;
    let min = 0;
    let max = 0;
    for (let start = 0; start < n; start += ROW_SLICE) {
      for (let i = start; i < Math.min(n, start + ROW_SLICE); i++) {
        const v = data[i]!;
        if (v < min) min = v;
        else if (v > max) max = v;
      }
      await pause();
    }
    await add(`int.${f}`, ...narrow(data, n, min, max));
  }
  const dicts: string[] = [];
  for (const [f, values] of Object.entries(view.dictValues))
    dicts.push(`${JSON.stringify(f)}:${await jsonArray(values, pause)}`);
  await add('dicts', 'json', Buffer.from(`{${dicts.join(',')}}`));
  const { rows, json: propsJson } = await propsOf(view, pause);
  await add('props.rows', 'i32', raw(rows));
  await add('props', 'json', Buffer.from(propsJson));

  const header: Header = {
    format: SNAPSHOT_FORMAT,
    schema: SCHEMA_FINGERPRINT,
    little_endian: true,
    rows: n,
    written_at: writtenAt,
    files,
    sections,
  };
  const json = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(json.length);
  const head = [MAGIC, length, json, Buffer.alloc(pad8(MAGIC.length + 4 + json.length))];
  let headCrc = 0;
  for (const b of head) if (b.length > 0) headCrc = crc32(b, headCrc);
  const digest = Buffer.alloc(DIGEST);
  digest.writeUInt32LE(headCrc, 0);
  digest.writeUInt32LE(bodyCrc, 4);
  return [...head, ...bodies, digest];
}

/** Rows per stretch of a column scan; entries per JSON.stringify call (32k strings: ~10 ms). */
const ROW_SLICE = 1 << 18;
const JSON_SLICE = 1 << 15;

/** `JSON.stringify(list)`, a slice at a time with a pause between (a visitor dictionary is ~130k strings per 1M rows). */
async function jsonArray(list: readonly unknown[], pause: () => Promise<void>): Promise<string> {
  const parts: string[] = [];
  for (let start = 0; start < list.length; start += JSON_SLICE) {
    parts.push(JSON.stringify(list.slice(start, start + JSON_SLICE)).slice(1, -1));
    if (list.length > JSON_SLICE) await pause();
  }
  return `[${parts.join(',')}]`;
}

/** The rows that have props and their props as one JSON array, built in slices with pauses. */
async function propsOf(
  view: ColumnsView,
  pause: () => Promise<void>,
): Promise<{ rows: Int32Array; json: string }> {
  const rows: number[] = [];
  const props: Record<string, PropValue>[] = [];
  // Rows without props nearly all share one empty object: remember it to skip the key walk.
  let empty: Record<string, PropValue> | null = null;
  for (let start = 0; start < view.rows; start += ROW_SLICE) {
    for (let i = start; i < Math.min(view.rows, start + ROW_SLICE); i++) {
      const p = view.props[i]!;
      if (p === empty) continue;
      let has = false;
      for (const _ in p) {
        has = true;
        break;
      }
      if (!has) empty = p;
      else {
        rows.push(i);
        props.push(p);
      }
    }
    await pause();
  }
  return { rows: Int32Array.from(rows), json: await jsonArray(props, pause) };
}

export interface DecodedSnapshot {
  columns: Columns;
  files: FileMark[];
  rows: number;
  writtenAt: number;
}

/** Checks and decodes a snapshot file; throws SnapshotError saying what is wrong with it. */
export function decodeSnapshot(buf: Buffer): DecodedSnapshot {
  if (buf.length < MAGIC.length + 4 + DIGEST || !buf.subarray(0, MAGIC.length).equals(MAGIC))
    throw new SnapshotError('not a snapshot file');
  if (!crc32) throw new SnapshotError('snapshots need Node 20.15 or later (zlib.crc32)');
  const headerLength = buf.readUInt32LE(MAGIC.length);
  const headEnd = MAGIC.length + 4 + headerLength + pad8(MAGIC.length + 4 + headerLength);
  if (
    headEnd > buf.length - DIGEST ||
    crc32(buf.subarray(0, headEnd)) !== buf.readUInt32LE(buf.length - DIGEST) ||
    crc32(buf.subarray(headEnd, buf.length - DIGEST)) !== buf.readUInt32LE(buf.length - DIGEST + 4)
  )
    throw new SnapshotError('checksum mismatch (truncated or corrupt)');
  let header: Header;
  try {
    header = JSON.parse(buf.toString('utf8', MAGIC.length + 4, MAGIC.length + 4 + headerLength)) as Header;
  } catch {
    throw new SnapshotError('unreadable header');
  }
  if (header.format !== SNAPSHOT_FORMAT)
    throw new SnapshotError(`format ${header.format}, this version reads ${SNAPSHOT_FORMAT}`);
  if (header.schema !== SCHEMA_FINGERPRINT) throw new SnapshotError('written for another record schema');
  if (header.little_endian !== LITTLE_ENDIAN)
    throw new SnapshotError('written on a machine of other byte order');
  const n = header.rows;
  if (!Number.isSafeInteger(n) || n < 0) throw new SnapshotError('bad row count');

  let offset = headEnd;
  const bytes = new Map<string, { type: SectionType; data: Buffer }>();
  for (const s of header.sections) {
    if (offset + s.bytes > buf.length - DIGEST)
      throw new SnapshotError(`section ${s.name} runs past the end`);
    bytes.set(s.name, { type: s.type, data: buf.subarray(offset, offset + s.bytes) });
    offset += s.bytes + pad8(s.bytes);
  }
  if (offset !== buf.length - DIGEST) throw new SnapshotError('sections do not fill the file');
  const section = (name: string) => {
    const s = bytes.get(name);
    if (!s) throw new SnapshotError(`section ${name} is missing`);
    return s;
  };
  const json = (name: string): unknown => {
    try {
      return JSON.parse(section(name).data.toString('utf8'));
    } catch {
      throw new SnapshotError(`section ${name} is not JSON`);
    }
  };

  const cols = new Columns();
  const capacity = growCapacity(n);
  fill(cols.ts, widen(section('ts'), n, capacity, Float64Array), n);
  for (let i = 1; i < n; i++)
    if (!(cols.ts.data[i]! >= cols.ts.data[i - 1]!)) throw new SnapshotError('rows are not in time order');
  const values = json('dicts') as Record<string, unknown>;
  for (const f of DICT_FIELDS) {
    const list = values[f];
    if (!Array.isArray(list) || list[0] !== '') throw new SnapshotError(`dictionary ${f} is malformed`);
    const dict = cols.dicts[f];
    // Codes are positions: re-encoding the list in order must give each string its own position
    // (the kind dictionary starts seeded with the kinds, in the same order).
    for (let code = 0; code < list.length; code++) {
      if (typeof list[code] !== 'string' || dict.encode(list[code] as string) !== code)
        throw new SnapshotError(`dictionary ${f} is malformed`);
    }
    if (dict.size !== list.length) throw new SnapshotError(`dictionary ${f} is malformed`);
    // Straight into the column's own width: 16-bit codes never pass through an Int32Array.
    const codes = section(`dict.${f}`);
    const data =
      codes.type === 'i32' ? widen(codes, n, capacity, Int32Array) : widen(codes, n, capacity, Uint16Array);
    cols.dict[f].adopt(data, n, list.length - 1);
  }
  for (const f of INT_FIELDS) fill(cols.ints[f], widen(section(`int.${f}`), n, capacity, Int32Array), n);

  const rows = widen(section('props.rows'), -1, 0, Int32Array);
  const props = json('props');
  if (!Array.isArray(props) || props.length !== rows.length) throw new SnapshotError('props are malformed');
  const all = new Array<Record<string, PropValue>>(n).fill(NO_PROPS);
  for (let j = 0; j < rows.length; j++) {
    const row = rows[j]!;
    const p = props[j] as unknown;
    if (!(row >= 0 && row < n) || !p || typeof p !== 'object' || Array.isArray(p))
      throw new SnapshotError('props are malformed');
    all[row] = p as Record<string, PropValue>;
  }
  cols.props = all;
  if (!Array.isArray(header.files)) throw new SnapshotError('watermark is malformed');
  return { columns: cols, files: header.files, rows: n, writtenAt: header.written_at };
}

const NO_PROPS: Record<string, PropValue> = Object.freeze({}) as Record<string, PropValue>;

/** The capacity a Growable reaches by doubling from 1024, so the first appends do not reallocate. */
function growCapacity(n: number): number {
  let capacity = 1024;
  while (capacity < n) capacity *= 2;
  return capacity;
}

function fill<T extends Int32Array | Float64Array>(column: Growable<T>, data: T, n: number): void {
  column.data = data;
  column.length = n;
}

/** The narrowest section type that holds min…max, with the first n values converted to it. */
function narrow(data: Codes, n: number, min: number, max: number): [SectionType, Buffer] {
  const values = data.subarray(0, n);
  // TypedArray.set converts element types natively; TypedArray.from would go through an iterator.
  const out =
    min >= 0 && max < 256
      ? new Uint8Array(n)
      : min >= 0 && max < 65536
        ? new Uint16Array(n)
        : new Int32Array(n);
  out.set(values);
  return [out instanceof Uint8Array ? 'u8' : out instanceof Uint16Array ? 'u16' : 'i32', raw(out)];
}

/**
 * Copies a section into a new typed array of `capacity` entries (n = −1: as many as it holds),
 * converting narrow types up.
 */
function widen<T extends Int32Array | Uint16Array | Float64Array>(
  s: { type: SectionType; data: Buffer },
  n: number,
  capacity: number,
  ctor: { new (length: number): T },
): T {
  const width = { f64: 8, i32: 4, u16: 2, u8: 1, json: 0 }[s.type];
  if (!width || s.data.length % width !== 0)
    throw new SnapshotError(`section of type ${s.type} is malformed`);
  const count = s.data.length / width;
  if (n >= 0 && count !== n) throw new SnapshotError(`a column holds ${count} rows, not ${n}`);
  if (((ctor as unknown) === Float64Array) !== (s.type === 'f64'))
    throw new SnapshotError(`section of type ${s.type} where ${ctor.name} was expected`);
  // A typed view needs an aligned offset; sections are 8-aligned in the file, so only a buffer
  // that does not start on an 8-byte boundary needs a copy first.
  const bytes = s.data.byteOffset % 8 === 0 ? s.data : Uint8Array.prototype.slice.call(s.data);
  const args = [bytes.buffer, bytes.byteOffset, count] as const;
  const source =
    s.type === 'f64'
      ? new Float64Array(...args)
      : s.type === 'i32'
        ? new Int32Array(...args)
        : s.type === 'u16'
          ? new Uint16Array(...args)
          : new Uint8Array(...args);
  const out = new ctor(Math.max(capacity, count));
  out.set(source as never);
  return out;
}

function raw(a: Float64Array | Int32Array | Uint16Array | Uint8Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

function pad8(length: number): number {
  return (8 - (length % 8)) % 8;
}
