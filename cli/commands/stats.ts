import type { CAC } from 'cac';
import { cliConfig } from '../data-dir.ts';
import { interruptible } from '../interrupt.ts';
import { countDay, type DayStats } from '../day-stats.ts';
import { listDays, reportUnreadable } from '../read-events.ts';
import { parseTimeRange } from '../time-range.ts';
import { RECORD_KINDS } from '../../storage/schema.ts';

export function register(cli: CAC): void {
  cli
    .command('stats', 'Records per day and kind, and file sizes, of the data dir')
    .option('--from <date>', 'first day (YYYY-MM-DD)')
    .option('--to <date>', 'last day, inclusive (YYYY-MM-DD)')
    .option('--json', 'print JSON instead of a table')
    .option('--data-dir <dir>', 'default: $ANALYTICS_DATA_DIR or ./data')
    .action(stats);
}

interface StatsOptions {
  from?: string;
  to?: string;
  json?: boolean;
  dataDir?: string;
}

async function stats(options: StatsOptions): Promise<void> {
  const config = cliConfig(options);
  const range = parseTimeRange(options.from, options.to);
  const stop = interruptible(() => undefined);
  const rows: DayStats[] = [];
  try {
    for (const day of await listDays(config.dataDir, range)) {
      if (stop.signal.aborted) break;
      rows.push(await countDay(config.dataDir, day));
    }
  } finally {
    stop.dispose();
  }
  const total = sumRows(rows);
  if (options.json) {
    console.log(JSON.stringify({ dataDir: config.dataDir, days: rows, total }, null, 2));
  } else {
    console.log(`Data dir: ${config.dataDir}`);
    console.log(formatTable(rows, total));
  }
  reportUnreadable({ corrupt: 0, unreadable: rows.flatMap((r) => r.unreadable ?? []) });
  if (stop.signal.aborted) {
    console.error('Interrupted: the table covers the days counted so far.');
    process.exitCode = 130;
  }
}

function sumRows(rows: DayStats[]): Omit<DayStats, 'day' | 'compressed'> & { days: number } {
  const counts = Object.fromEntries(RECORD_KINDS.map((k) => [k, 0])) as DayStats['counts'];
  let records = 0;
  let bytes = 0;
  for (const row of rows) {
    for (const kind of RECORD_KINDS) counts[kind] += row.counts[kind];
    records += row.records;
    bytes += row.bytes;
  }
  return { days: rows.length, counts, records, bytes };
}

function formatTable(rows: DayStats[], total: ReturnType<typeof sumRows>): string {
  const header = ['day', ...RECORD_KINDS, 'records', 'size'];
  const body = rows.map((r) => [
    r.day + (r.compressed ? ' (gz)' : ''),
    ...RECORD_KINDS.map((k) => String(r.counts[k])),
    String(r.records),
    formatBytes(r.bytes),
  ]);
  body.push([
    `total (${total.days} days)`,
    ...RECORD_KINDS.map((k) => String(total.counts[k])),
    String(total.records),
    formatBytes(total.bytes),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), ...body.map(line)].join('\n');
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}
