import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvHeader, csvLine } from '../../cli/csv.ts';
import { csvCell } from '../../shared/csv.ts';
import { parseTimeRange } from '../../cli/time-range.ts';
import { UsageError } from '../../cli/usage-error.ts';
import { emptyRecord, parseRecordLine } from '../../storage/schema.ts';
import { tempDir } from '../support/helpers.ts';

const CFA = join(import.meta.dirname, '..', '..', 'cli', 'cfa.mjs');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `cfa` bin; `onStart` gets the child to signal it. */
function cfa(
  args: string[],
  env: Record<string, string> = {},
  onStart?: (child: ReturnType<typeof spawn>) => void,
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CFA, ...args], {
      env: { ...process.env, ANALYTICS_ADMIN_TOKEN: '', ANALYTICS_STORE: '', PORT: '8550', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    onStart?.(child);
  });
}

describe('cfa demo, stats and export', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let demo: Run;

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('cfa-cli-'));
    demo = await cfa(['demo', '--days', '5', '--events', '6000', '--data-dir', dir]);
  }, 60_000);
  afterAll(() => cleanup());

  it('writes the demo data and prints the dashboard URL with the admin token', async () => {
    expect(demo.code).toBe(0);
    const token = (await readFile(join(dir, 'admin-token'), 'utf8')).trim();
    expect(demo.stdout).toContain(`Wrote 6000 events over 5 days to ${dir}`);
    expect(demo.stdout).toContain(`http://localhost:8550/admin/analytics#token=${token}`);
    // The link holds for the collector started on this data dir: the command says how.
    expect(demo.stdout).toContain(`  ANALYTICS_DATA_DIR=${dir} npm start\n`);
    expect(demo.stdout).toContain(`the token is in ${join(dir, 'admin-token')}`);
    expect((await readdir(join(dir, 'events'))).length).toBeGreaterThanOrEqual(5);
  });

  it('refuses to add a second demo on top unless forced', async () => {
    const again = await cfa(['demo', '--events', '10', '--data-dir', dir]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already holds events; add --force');
  });

  it('rejects bad numbers with the flag name', async () => {
    const bad = await cfa(['demo', '--events', 'lots', '--data-dir', join(dir, 'other')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--events must be a whole number');
    expect(existsSync(join(dir, 'other'))).toBe(false);
  });

  it('stats counts every record per day and kind', async () => {
    const run = await cfa(['stats', '--json', '--data-dir', dir]);
    expect(run.code).toBe(0);
    const stats = JSON.parse(run.stdout) as {
      days: { day: string; records: number; bytes: number; counts: Record<string, number> }[];
      total: { records: number; bytes: number; counts: Record<string, number> };
    };
    expect(stats.total.records).toBe(6000);
    expect(stats.days.reduce((s, d) => s + d.records, 0)).toBe(6000);
    expect(stats.days.every((d) => d.bytes > 0 && d.counts.pageview! > 0)).toBe(true);
    expect(Object.values(stats.total.counts).reduce((a, b) => a + b, 0)).toBe(6000);
    const table = await cfa(['stats', '--data-dir', dir]);
    expect(table.stdout).toMatch(/total \(\d+ days\)\s+\d+\s+\d+\s+\d+\s+\d+\s+6000\s/);
  });

  it('exports JSON Lines that parse back into records, limited by --from/--to', async () => {
    const run = await cfa(['export', '--data-dir', dir]);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(6000);
    expect(lines.every((l) => parseRecordLine(l) !== null)).toBe(true);
    const days = (await readdir(join(dir, 'events'))).sort();
    const middle = days[2]!;
    const oneDay = await cfa(['export', '--from', middle, '--to', middle, '--data-dir', dir]);
    const records = oneDay.stdout
      .trim()
      .split('\n')
      .map((l) => parseRecordLine(l)!);
    expect(records.length).toBeGreaterThan(100);
    expect(records.every((r) => new Date(r.ts).toISOString().startsWith(middle))).toBe(true);
  });

  it('exports CSV to a file, replacing it only when complete', async () => {
    const out = join(dir, 'events.csv');
    const run = await cfa(['export', '--format', 'csv', '--out', out, '--data-dir', dir]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`Exported 6000 records`);
    const text = await readFile(out, 'utf8');
    const rows = text.trim().split('\n');
    expect(rows[0]).toBe(csvHeader());
    expect(rows).toHaveLength(6001);
    expect(existsSync(`${out}.partial`)).toBe(false);
  });

  it('rejects an unknown format, a bad date and an unknown command', async () => {
    expect((await cfa(['export', '--format', 'xml', '--data-dir', dir])).stderr).toContain(
      '--format must be csv or jsonl',
    );
    const badDate = await cfa(['export', '--from', '2026-13-01', '--data-dir', dir]);
    expect(badDate.code).toBe(2);
    expect(badDate.stderr).toContain('--from is not a date');
    const unknown = await cfa(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command: frobnicate');
  });
});

describe('cfa demo interrupted with Ctrl-C', () => {
  it('stops between batches and keeps only whole records', async () => {
    const { dir, cleanup } = await tempDir('cfa-cli-int-');
    try {
      const events = join(dir, 'events');
      const run = await cfa(
        ['demo', '--days', '3', '--events', '3000000', '--data-dir', dir],
        {},
        (child) => {
          const poll = setInterval(() => {
            if (existsSync(events)) {
              clearInterval(poll);
              child.kill('SIGINT');
            }
          }, 20);
        },
      );
      expect(run.code).toBe(130);
      const kept = Number(/kept (\d+) whole events/.exec(run.stdout)?.[1]);
      expect(kept).toBeGreaterThan(0);
      expect(kept).toBeLessThan(3_000_000);
      const exported = await cfa(['export', '--data-dir', dir]);
      const lines = exported.stdout.trim().split('\n');
      expect(lines).toHaveLength(kept);
      expect(lines.every((l) => parseRecordLine(l) !== null)).toBe(true);
      expect(exported.stderr).not.toContain('corrupt');
    } finally {
      await cleanup();
    }
  }, 60_000);
});

describe('csv', () => {
  it.each([
    ['plain', '/pricing', '"/pricing"'],
    ['comma', 'a,b', '"a,b"'],
    ['quote', 'say "hi"', '"say ""hi"""'],
    ['newline', 'a\nb', '"a\nb"'],
    ['formula', '=HYPERLINK("x")', '"\'=HYPERLINK(""x"")"'],
    ['plus', '+1', '"\'+1"'],
    ['at', '@SUM(A1)', '"\'@SUM(A1)"'],
  ])('quotes %s cells safely', (_name, input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });

  it('writes one column per schema field with props as JSON', () => {
    const record = emptyRecord('action', 1_700_000_000_000, 'cloudface-ai.com');
    record.name = 'photo_processed';
    record.props = { processed_count: 150, total_files: 200 };
    const cells = csvLine(record).split(',');
    expect(csvHeader().split(',')).toHaveLength(29);
    expect(csvLine(record)).toContain('"{""processed_count"":150,""total_files"":200}"');
    expect(cells[0]).toBe('1700000000000');
    expect(cells[1]).toBe('"action"');
  });
});

describe('parseTimeRange', () => {
  it('reads dates as whole UTC days, both ends inclusive', () => {
    expect(parseTimeRange('2026-11-01', '2026-11-01')).toEqual({
      from: Date.UTC(2026, 10, 1),
      to: Date.UTC(2026, 10, 2),
    });
  });

  it('reads ISO times exactly', () => {
    expect(parseTimeRange('2026-11-01T10:00:00Z', undefined)).toEqual({ from: Date.UTC(2026, 10, 1, 10) });
  });

  it.each([
    ['2026-02-30', undefined, '--from is not a date'],
    ['yesterday', undefined, '--from must be YYYY-MM-DD'],
    ['2026-11-01T10:00:00', undefined, 'ISO time with a zone'],
    ['2026-11-05', '2026-11-01', '--from must be before --to'],
  ])('rejects %s .. %s', (from, to, message) => {
    expect(() => parseTimeRange(from, to)).toThrow(UsageError);
    expect(() => parseTimeRange(from, to)).toThrow(message);
  });
});
