import { describe, expect, it } from 'vitest';
import { csvFileName, paginate, searchRows, sortRows, toCsv } from '../../../dashboard/lib/table.ts';

const rows = [
  { user: 'alice', sessions: 3, last: '2026-11-20' },
  { user: 'Bob', sessions: 10, last: '' },
  { user: 'carol', sessions: 3, last: '2026-11-25' },
  { user: 'user2', sessions: null, last: '2026-11-21' },
  { user: 'user10', sessions: 1, last: '2026-11-22' },
];

describe('dashboard table logic', () => {
  it('sorts numbers numerically, keeps ties in server order and puts blanks last both ways', () => {
    expect(sortRows(rows, 'sessions', 'desc').map((r) => r.user)).toEqual([
      'Bob',
      'alice',
      'carol',
      'user10',
      'user2',
    ]);
    expect(sortRows(rows, 'sessions', 'asc').map((r) => r.user)).toEqual([
      'user10',
      'alice',
      'carol',
      'Bob',
      'user2',
    ]);
    expect(sortRows(rows, 'last', 'asc').map((r) => r.user)).toEqual([
      'alice',
      'user2',
      'user10',
      'carol',
      'Bob',
    ]);
  });

  it('sorts text case-insensitively with natural numbers (user2 before user10)', () => {
    expect(sortRows(rows, 'user', 'asc').map((r) => r.user)).toEqual([
      'alice',
      'Bob',
      'carol',
      'user2',
      'user10',
    ]);
  });

  it('searches case-insensitively and keeps every row for an empty query', () => {
    expect(searchRows(rows, 'BO', ['user']).map((r) => r.user)).toEqual(['Bob']);
    expect(searchRows(rows, '  ', ['user'])).toHaveLength(5);
    expect(searchRows(rows, 'user1', ['user']).map((r) => r.user)).toEqual(['user10']);
    expect(searchRows(rows, 'zzz', ['user'])).toEqual([]);
  });

  it('paginates and clamps a page number out of range', () => {
    const many = Array.from({ length: 45 }, (_, i) => i);
    expect(paginate(many, 0, 20)).toMatchObject({ page: 0, pages: 3, total: 45, rows: many.slice(0, 20) });
    expect(paginate(many, 2, 20).rows).toEqual([40, 41, 42, 43, 44]);
    expect(paginate(many, 9, 20).page).toBe(2);
    expect(paginate(many, -1, 20).page).toBe(0);
    expect(paginate([], 0, 20)).toMatchObject({ page: 0, pages: 1, total: 0, rows: [] });
  });

  it('writes RFC 4180 CSV, quoting every text cell (commas, quotes and newlines included)', () => {
    const csv = toCsv(
      [
        { key: 'label', label: 'Page' },
        { key: 'views', label: 'Views' },
      ],
      [
        { label: '/a,b', views: 3 },
        { label: 'say "hi"\nthere', views: 0 },
        { label: '/plain', views: null },
      ],
    );
    expect(csv).toBe('"Page","Views"\r\n"/a,b",3\r\n"say ""hi""\nthere",0\r\n"/plain",\r\n');
  });

  it('defuses spreadsheet formulas that visitors could plant in paths or referrers', () => {
    const csv = toCsv(
      [{ key: 'v', label: 'Value' }],
      [{ v: '=HYPERLINK("http://evil")' }, { v: '+1' }, { v: '@SUM(A1)' }, { v: -3 }],
    );
    expect(csv.split('\r\n')).toEqual([
      '"Value"',
      `"'=HYPERLINK(""http://evil"")"`,
      `"'+1"`,
      `"'@SUM(A1)"`,
      '-3',
      '',
    ]);
  });

  it('names the CSV file after the table and the day', () => {
    expect(csvFileName('Popular pages Entry page', Date.UTC(2026, 10, 27))).toBe(
      'popular-pages-entry-page-2026-11-27.csv',
    );
    expect(csvFileName('<>', 0)).toBe('table-1970-01-01.csv');
  });
});
