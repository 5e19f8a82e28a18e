import type { CAC } from 'cac';
import cliProgress from 'cli-progress';
import { connectClickHouse } from '../../query/clickhouse/connection.ts';
import { copyJsonToClickHouse } from '../../query/clickhouse/copy-from-json.ts';
import { migrate } from '../../query/clickhouse/migrate.ts';
import { cliConfig } from '../data-dir.ts';
import { interruptible } from '../interrupt.ts';
import { listDays, readRecords, reportUnreadable, type ReadCounters } from '../read-events.ts';
import { dayEnd, dayStart } from '../../storage/day-files.ts';
import { UsageError } from '../usage-error.ts';

export function register(cli: CAC): void {
  cli
    .command('clickhouse-import', 'Copy the JSON Lines history into ClickHouse (CLICKHOUSE_* settings)')
    .option('--data-dir <dir>', 'default: $ANALYTICS_DATA_DIR or ./data')
    .option('--force', 'also copy days that already hold rows in ClickHouse')
    .example('ANALYTICS_STORE=clickhouse CLICKHOUSE_URL=http://ch:8123 cfa clickhouse-import')
    .action(clickhouseImport);
}

async function clickhouseImport(options: { dataDir?: string; force?: boolean }): Promise<void> {
  const config = cliConfig(options);
  if (!config.clickhouse) {
    throw new UsageError('set ANALYTICS_STORE=clickhouse and CLICKHOUSE_URL (and database/user) first');
  }
  const days = await listDays(config.dataDir);
  if (days.length === 0) throw new UsageError(`no events in ${config.dataDir}/events`);
  const conn = await connectClickHouse(config.clickhouse);
  const { signal, dispose } = interruptible(() =>
    console.error('\nstopping after the current day (Ctrl-C again to quit at once)'),
  );
  const bar = process.stderr.isTTY
    ? new cliProgress.SingleBar({
        format: 'clickhouse-import |{bar}| {value}/{total} days, {records} records, {skipped} skipped',
      })
    : null;
  const counters: ReadCounters = { corrupt: 0 };
  try {
    await migrate(conn);
    bar?.start(days.length, 0, { records: 0, skipped: 0 });
    const result = await copyJsonToClickHouse({
      conn,
      days,
      readDay: (day) => readRecords(config.dataDir, { from: dayStart(day), to: dayEnd(day) }, counters),
      force: Boolean(options.force),
      signal,
      onProgress: (p) => {
        if (bar) bar.update(p.daysDone, { records: p.records, skipped: p.skippedDays });
        else console.error(`${p.day}: ${p.daysDone}/${p.daysTotal} days, ${p.records} records`);
      },
    });
    bar?.stop();
    console.log(
      `copied ${result.records} records from ${result.copiedDays} days into ${config.clickhouse.database}.events` +
        (result.skippedDays
          ? `; skipped ${result.skippedDays} days already in ClickHouse (--force copies them)`
          : '') +
        (result.interrupted ? '; interrupted: run it again to copy the rest' : ''),
    );
    reportUnreadable(counters);
  } finally {
    bar?.stop();
    dispose();
    await conn.close();
  }
}
