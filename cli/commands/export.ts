import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { CAC } from 'cac';
import cliProgress from 'cli-progress';
import { dayEnd, dayStart, PRIVATE_FILE } from '../../storage/day-files.ts';
import { serializeRecord, type StoredRecord } from '../../storage/schema.ts';
import { csvHeader, csvLine } from '../csv.ts';
import { cliConfig } from '../data-dir.ts';
import { interruptible } from '../interrupt.ts';
import { listDays, readRecords, reportUnreadable, type ReadCounters } from '../read-events.ts';
import { parseTimeRange } from '../time-range.ts';
import { UsageError } from '../usage-error.ts';

export function register(cli: CAC): void {
  cli
    .command('export', 'Write stored events as CSV or JSON Lines, to stdout or a file')
    .option('--format <format>', 'csv or jsonl', { default: 'jsonl' })
    .option('--from <date>', 'first day (YYYY-MM-DD, UTC) or ISO time')
    .option('--to <date>', 'last day, inclusive (YYYY-MM-DD, UTC) or ISO time, exclusive')
    .option('--site <domain>', 'only this site')
    .option('--out <file>', 'write here instead of stdout (replaced only once complete)')
    .option('--data-dir <dir>', 'default: $ANALYTICS_DATA_DIR or ./data')
    .example('cfa export --format csv --from 2026-11-01 --to 2026-11-30 --out november.csv')
    .action(exportEvents);
}

interface ExportOptions {
  format: string;
  from?: string;
  to?: string;
  site?: string;
  out?: string;
  dataDir?: string;
}

async function exportEvents(options: ExportOptions): Promise<void> {
  if (options.format !== 'csv' && options.format !== 'jsonl') {
    throw new UsageError(`--format must be csv or jsonl, got ${JSON.stringify(options.format)}`);
  }
  const format = options.format;
  const range = parseTimeRange(options.from, options.to);
  const site = options.site ? String(options.site).toLowerCase() : null;
  const config = cliConfig(options);
  const days = await listDays(config.dataDir, range);

  // A file is written under a temporary name and renamed at the end, so an interrupted export
  // never leaves something that looks complete.
  const partial = options.out ? `${options.out}.partial` : null;
  const out: Writable = partial ? createWriteStream(partial, { mode: PRIVATE_FILE }) : process.stdout;
  let brokenPipe = false;
  out.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') brokenPipe = true;
    else throw error;
  });
  const bar =
    partial && process.stderr.isTTY
      ? new cliProgress.SingleBar({ format: 'export |{bar}| {value}/{total} days, {records} records' })
      : null;
  bar?.start(days.length, 0, { records: 0 });
  const stop = interruptible(() => bar?.stop());
  const counters: ReadCounters = { corrupt: 0 };
  let records = 0;
  const write = async (text: string) => {
    try {
      if (!out.write(text)) await once(out, 'drain');
    } catch (error) {
      // `cfa export | head` closes the pipe early: stop quietly, that is what was asked for.
      if ((error as NodeJS.ErrnoException).code !== 'EPIPE') throw error;
      brokenPipe = true;
    }
  };
  try {
    if (format === 'csv') await write(csvHeader() + '\n');
    for (const [i, day] of days.entries()) {
      const dayRange = {
        from: Math.max(range.from ?? -Infinity, dayStart(day)),
        to: Math.min(range.to ?? Infinity, dayEnd(day)),
      };
      for await (const record of readRecords(config.dataDir, dayRange, counters)) {
        if (site && record.site !== site) continue;
        await write(encode(record, format) + '\n');
        records += 1;
        if (stop.signal.aborted || brokenPipe) break;
      }
      bar?.update(i + 1, { records });
      if (stop.signal.aborted || brokenPipe) break;
    }
  } finally {
    bar?.stop();
    stop.dispose();
  }
  if (partial) {
    (out as WriteStream).end();
    await once(out, 'close');
    if (stop.signal.aborted) {
      await unlink(partial);
      console.error(`Interrupted: nothing written to ${options.out}.`);
      process.exitCode = 130;
      return;
    }
    await rename(partial, options.out!);
    console.error(`Exported ${records} records from ${days.length} day(s) to ${options.out}.`);
  }
  if (counters.corrupt > 0) console.error(`Skipped ${counters.corrupt} corrupt line(s).`);
  reportUnreadable(counters);
  if (stop.signal.aborted) process.exitCode = 130;
}

function encode(record: StoredRecord, format: 'csv' | 'jsonl'): string {
  return format === 'csv' ? csvLine(record) : serializeRecord(record);
}
