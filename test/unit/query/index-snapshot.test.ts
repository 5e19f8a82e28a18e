import { describe, expect, it } from 'vitest';
import { emptyRecord, RECORD_KINDS, type StoredRecord } from '../../../storage/schema.ts';
import type { StoredFile } from '../../../storage/types.ts';
import { Columns, DICT_FIELDS } from '../../../query/memory/columns.ts';
import { MemoryIndex } from '../../../query/memory/index.ts';
import {
  decodeSnapshot,
  encodeSnapshot,
  viewColumns,
  type FileMark,
} from '../../../query/memory/snapshot/snapshot-format.ts';
import { planTails, type FoundFile } from '../../../query/memory/snapshot/snapshot-watermark.ts';
import { reheader } from './index-snapshot-helpers.ts';

const T0 = Date.parse('2026-11-20T00:00:00Z');

/** Records that exercise every column type the format picks (uint8, uint16, int32, float64). */
function records(): StoredRecord[] {
  const out: StoredRecord[] = [];
  for (let i = 0; i < 3000; i++) {
    const kind = RECORD_KINDS[i % 4]!;
    const r = emptyRecord(kind, T0 + i * 7_919 + (i % 3) * 0.5, i % 5 === 0 ? 'b.test' : 'a.test');
    r.visitor = `v${i % 97}`;
    r.session = i % 11 === 0 ? `k${i % 3}` : '';
    r.user = i % 7 === 0 ? `ユーザー${i % 13}` : '';
    // More than 256 distinct paths: a uint16 column.
    r.path = `/p/${i % 300}/${['日本語', 'ü', '🎉', 'a"b\\c', 'new\nline'][i % 5]}`;
    r.country = ['', 'DE', 'FR', 'JP'][i % 4]!;
    r.engaged_ms = kind === 'engagement' ? i * 50 : 0; // up to 150,000: int32
    r.scroll = i % 101; // uint8
    r.recipients = kind === 'share' ? i % 400 : 0; // uint16
    r.name = kind === 'action' ? 'photo_processed' : kind === 'share' ? 'whatsapp' : '';
    if (kind === 'action')
      r.props = { processed_count: i, note: `ok ✓ ${i}`, flag: i % 2 === 0, 'key"q': 'v' };
    out.push(r);
  }
  return out;
}

function columnsOf(list: StoredRecord[]): Columns {
  const cols = new Columns();
  for (const r of list) cols.push(r);
  return cols;
}

const FILES: FileMark[] = [
  { day: '2026-11-20', kind: 'pageview', compressed: true, size: 1234, ino: '77' },
  { day: '2026-11-21', kind: 'action', compressed: false, size: 99, ino: '78' },
];

describe('index snapshot format', () => {
  it('gives back every record, props and unicode strings included, and the watermark', async () => {
    const list = records();
    const cols = columnsOf(list);
    const buf = Buffer.concat(await encodeSnapshot(viewColumns(cols), FILES, T0));
    const back = decodeSnapshot(buf);
    expect(back.rows).toBe(list.length);
    expect(back.files).toEqual(FILES);
    expect(back.writtenAt).toBe(T0);
    for (let i = 0; i < list.length; i++) expect(back.columns.record(i)).toEqual(list[i]);
    for (const f of DICT_FIELDS) expect(back.columns.dicts[f].values).toEqual(cols.dicts[f].values);
    // The dictionaries work for lookups and further appends.
    expect(back.columns.dicts.path.lookup('/p/5/日本語')).toBe(cols.dicts.path.lookup('/p/5/日本語'));
    back.columns.push(emptyRecord('pageview', T0 + 1e9, 'new.test'));
    expect(back.columns.record(list.length).site).toBe('new.test');
  });

  it('holds only the rows, so columns grown past them encode the same', async () => {
    const list = records();
    const cols = columnsOf(list);
    const view = viewColumns(cols);
    // Appends after the view was taken go past its rows and must not leak in.
    cols.push(emptyRecord('pageview', T0 + 1e10, 'later.test'));
    const back = decodeSnapshot(Buffer.concat(await encodeSnapshot(view, [], T0)));
    expect(back.rows).toBe(list.length);
    expect(back.columns.dicts.site.lookup('later.test')).toBe(-1);
  });

  it('an index adopting decoded columns numbers sessions as one built by appends', async () => {
    const list = records();
    const built = new MemoryIndex();
    built.append(list);
    built.ready();
    const adopted = new MemoryIndex();
    adopted.adoptColumns(
      decodeSnapshot(Buffer.concat(await encodeSnapshot(viewColumns(built.cols), [], T0))).columns,
    );
    expect(adopted.length).toBe(built.length);
    expect(adopted.sessionCount).toBe(built.sessionCount);
    expect(Array.from(adopted.session.data.subarray(0, adopted.length))).toEqual(
      Array.from(built.session.data.subarray(0, built.length)),
    );
    expect(adopted.userRows.length).toBe(built.userRows.length);
  });

  it.each([
    ['truncated', (b: Buffer) => b.subarray(0, b.length - 100), /checksum/],
    ['cut inside the header', (b: Buffer) => b.subarray(0, 40), /checksum|not a snapshot/],
    ['empty', () => Buffer.alloc(0), /not a snapshot/],
    ['one byte flipped', (b: Buffer) => flip(b, Math.floor(b.length / 2)), /checksum/],
    ['another format version', (b: Buffer) => reheader(b, (h) => (h.format = 0)), /format 0/],
    ['another record schema', (b: Buffer) => reheader(b, (h) => (h.schema = 'feedfacefeedface')), /schema/],
    ['a lying row count', (b: Buffer) => reheader(b, (h) => (h.rows = 10)), /holds 3000 rows, not 10/],
  ])('refuses a snapshot that is %s', async (_name, spoil, message) => {
    const buf = Buffer.concat(await encodeSnapshot(viewColumns(columnsOf(records())), FILES, T0));
    expect(() => decodeSnapshot(spoil(buf))).toThrow(message);
  });
});

function flip(buf: Buffer, at: number): Buffer {
  const copy = Buffer.from(buf);
  copy[at] = copy[at]! ^ 0xff;
  return copy;
}

describe('planTails: what to read on top of a snapshot', () => {
  const mark = (day: string, compressed: boolean, size: number, ino = '1'): FileMark => ({
    day,
    kind: 'pageview',
    compressed,
    size,
    ino,
  });
  const file = (day: string, compressed: boolean, size: number, ino = '1', isize?: number): FoundFile => {
    const f: StoredFile = { day, kind: 'pageview', path: `/d/${day}`, compressed, size, ino };
    return isize === undefined ? f : { ...f, isize };
  };
  const D1 = '2026-11-20';
  const D2 = '2026-11-21';

  it.each([
    [
      'nothing changed',
      [mark(D1, true, 50), mark(D2, false, 100)],
      [file(D1, true, 50), file(D2, false, 100)],
      [],
    ],
    ['a plain file grew', [mark(D2, false, 100)], [file(D2, false, 160)], [[D2, 100]]],
    ['a new file appeared', [mark(D1, true, 50)], [file(D1, true, 50), file(D2, false, 30, '2')], [[D2, 0]]],
    ['gzipped since, nothing added', [mark(D1, false, 100)], [file(D1, true, 20, '5', 100)], []],
    ['gzipped since, lines added first', [mark(D1, false, 100)], [file(D1, true, 25, '5', 140)], [[D1, 100]]],
  ])('%s', (_name, marks, files, tails) => {
    const plan = planTails(marks, files);
    expect(Array.isArray(plan) ? plan.map((t) => [t.file.day, t.skip]) : plan).toEqual(tails);
  });

  it.each([
    ['a file vanished', [mark(D1, true, 50)], [], /is gone/],
    ['a plain file shrank', [mark(D2, false, 100)], [file(D2, false, 90)], /shrank/],
    [
      'a plain file was replaced (erasure rewrite)',
      [mark(D2, false, 100)],
      [file(D2, false, 120, '9')],
      /rewritten/,
    ],
    ['a gzipped file was replaced', [mark(D1, true, 50)], [file(D1, true, 50, '9')], /rewritten/],
    ['a gzipped file changed size', [mark(D1, true, 50)], [file(D1, true, 48)], /rewritten/],
    ['gzipped since and shorter', [mark(D1, false, 100)], [file(D1, true, 20, '5', 60)], /shrank/],
    ['gzipped since, trailer unreadable', [mark(D1, false, 100)], [file(D1, true, 20, '5')], /trailer/],
  ])('refuses when %s', (_name, marks, files, reason) => {
    const plan = planTails(marks, files);
    expect('reason' in plan ? plan.reason : 'used').toMatch(reason);
  });
});
