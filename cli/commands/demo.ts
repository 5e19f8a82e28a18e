import type { CAC } from 'cac';
import cliProgress from 'cli-progress';
import { join } from 'node:path';
import { resolveAdminToken } from '../../collector/admin-token.ts';
import { writeGenerated } from '../../demo/write-generated.ts';
import { cliConfig } from '../data-dir.ts';
import { interruptible } from '../interrupt.ts';
import { listDays } from '../read-events.ts';
import { UsageError } from '../usage-error.ts';

export function register(cli: CAC): void {
  cli
    .command('demo', 'Fill the data dir with generated CloudFace traffic, ending now')
    .option('--days <n>', 'days of traffic', { default: 30 })
    .option('--events <n>', 'records to write', { default: 200_000 })
    .option('--seed <n>', 'the same seed gives the same traffic', { default: 1 })
    .option('--sites <list>', 'comma-separated site domains, busiest first', { default: 'cloudface-ai.com' })
    .option('--data-dir <dir>', 'default: $ANALYTICS_DATA_DIR or ./data')
    .option('--force', 'add to a data dir that already holds events')
    .example('cfa demo --days 30 --events 200000')
    .action(demo);
}

interface DemoOptions {
  days: number;
  events: number;
  seed: number;
  sites: string;
  dataDir?: string;
  force?: boolean;
}

async function demo(options: DemoOptions): Promise<void> {
  const days = positiveInteger('--days', options.days, 3650);
  const events = positiveInteger('--events', options.events, 1e9);
  const seed = positiveInteger('--seed', options.seed, 2 ** 31);
  const sites = String(options.sites)
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const config = cliConfig(options);
  if (config.store !== 'json') throw new UsageError('demo writes JSON Lines; unset ANALYTICS_STORE');
  if (!options.force && (await listDays(config.dataDir)).length > 0) {
    throw new UsageError(`${config.dataDir} already holds events; add --force to add the demo on top`);
  }

  const bar = new cliProgress.SingleBar(
    { format: 'demo |{bar}| {percentage}% {value}/{total} events, {eta_formatted} left', hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(events, 0);
  const stop = interruptible(() => bar.stop());
  const started = performance.now();
  let result;
  try {
    result = await writeGenerated({
      dataDir: config.dataDir,
      seed,
      days,
      events,
      end: Date.now(),
      sites,
      signal: stop.signal,
      onProgress: (written) => bar.update(written),
    });
  } finally {
    bar.stop();
    stop.dispose();
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (result.interrupted) {
    console.log(`Interrupted: kept ${result.written} whole events in ${config.dataDir} (${seconds} s).`);
  } else {
    console.log(`Wrote ${result.written} events over ${days} days to ${config.dataDir} in ${seconds} s.`);
  }
  // The link holds only when the collector runs on this data dir, port and token: print the
  // command that does, and say where the right link is otherwise.
  const token = await resolveAdminToken(config.adminToken, config.dataDir);
  const port = config.port !== 8550 ? `PORT=${config.port} ` : '';
  console.log('Start the collector on this data:');
  console.log(`  ${port}ANALYTICS_DATA_DIR=${shellWord(config.dataDir)} npm start`);
  console.log(`Dashboard: http://localhost:${config.port}/admin/analytics#token=${token}`);
  console.log(
    config.adminToken
      ? '(the token is ANALYTICS_ADMIN_TOKEN; started with another token or port, use the link the collector prints)'
      : `(the token is in ${join(config.dataDir, 'admin-token')}; started with ANALYTICS_ADMIN_TOKEN or another port, use the link the collector prints)`,
  );
  if (result.interrupted) process.exitCode = 130;
}

/** A path as one shell word: quoted when it holds anything but safe characters. */
function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

function positiveInteger(flag: string, value: unknown, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new UsageError(`${flag} must be a whole number from 1 to ${max}, got ${JSON.stringify(value)}`);
  }
  return n;
}
