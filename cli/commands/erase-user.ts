import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CAC } from 'cac';
import { JsonlStore } from '../../storage/jsonl-store.ts';
import { cliConfig } from '../data-dir.ts';
import { UsageError } from '../usage-error.ts';
import { hasControlChar } from '../../shared/control-chars.ts';

export function register(cli: CAC): void {
  cli
    .command('erase-user <userId>', 'Erase every record of one user id (right to erasure)')
    .option('--url <url>', 'the running collector to ask (default: http://localhost:$PORT)')
    .option('--offline', 'rewrite the data dir directly: only while no collector runs on it')
    .option('--data-dir <dir>', 'default: $ANALYTICS_DATA_DIR or ./data')
    .example('cfa erase-user user123')
    .example('cfa erase-user user123 --offline --data-dir /var/lib/cfa')
    .action(eraseUser);
}

interface EraseOptions {
  url?: string;
  offline?: boolean;
  dataDir?: string;
}

/**
 * By default the running collector does the erasure (DELETE /api/analytics/user/{id}): it pauses
 * its own appends around each rewrite and drops the user from its query index. Rewriting the
 * files from a second process while the collector appends would lose its acknowledged events
 * (it keeps writing to the replaced file), hence --offline only with the collector stopped.
 */
async function eraseUser(userId: string, options: EraseOptions): Promise<void> {
  const id = String(userId);
  if (!id || id.length > 200 || hasControlChar(id)) {
    throw new UsageError('the user id must be 1 to 200 characters without control characters');
  }
  const config = cliConfig(options);
  if (options.offline) {
    const store = await JsonlStore.open({ dataDir: config.dataDir, compressEveryMs: 0 });
    try {
      console.log(`erased ${await store.eraseUser(id)} record(s) from ${config.dataDir}`);
      reportSkipped(await store.unreadableFiles());
    } finally {
      await store.close();
    }
    return;
  }
  const base = (options.url ?? `http://localhost:${config.port}`).replace(/\/+$/, '');
  const token =
    config.adminToken ?? (await readFile(join(config.dataDir, 'admin-token'), 'utf8').catch(() => '')).trim();
  if (!token) throw new UsageError('no admin token: set ANALYTICS_ADMIN_TOKEN or --data-dir');
  let res: Response;
  try {
    res = await fetch(`${base}/api/analytics/user/${encodeURIComponent(id)}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token}` },
    });
  } catch {
    throw new UsageError(
      `no collector answers at ${base}: start it, pass --url, or stop it and use --offline`,
    );
  }
  const body = (await res.json().catch(() => ({}))) as {
    erased?: number;
    error?: string;
    skipped?: string[];
  };
  if (res.status !== 200 && res.status !== 207)
    throw new UsageError(`the collector answered ${res.status}: ${body.error ?? ''}`);
  console.log(`erased ${body.erased} record(s) through ${base}`);
  reportSkipped(body.skipped ?? []);
}

/**
 * Unreadable files set aside in the data dir's quarantine folder may still hold the user's
 * records: the erasure is not complete until someone recovers or deletes them (exit status 1).
 */
function reportSkipped(skipped: readonly string[]): void {
  if (skipped.length === 0) return;
  console.error(`Not complete: ${skipped.length} unreadable file(s) could not be searched for this user id:`);
  for (const file of skipped) console.error(`  ${file}`);
  console.error('Recover or delete them, then run the erasure again.');
  process.exitCode = 1;
}
