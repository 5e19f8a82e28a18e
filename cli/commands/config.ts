import { readFile, writeFile } from 'node:fs/promises';
import type { CAC } from 'cac';
import { exportConfig, importConfig, parseBundle, siteOption } from '../config-bundle.ts';
import { cliConfig } from '../data-dir.ts';
import { openSettings } from '../settings.ts';
import { UsageError } from '../usage-error.ts';

interface Options {
  dataDir?: string;
  site?: string;
  out?: string;
  replace?: boolean;
}

export function register(cli: CAC): void {
  cli
    .command(
      'config <action> [file]',
      "Export or import a site's analysis settings (goals, cards, annotations, funnels, segments) as JSON",
    )
    .option('--data-dir <dir>', 'default: $ANALYTICS_DATA_DIR or ./data')
    .option('--site <domain>', 'only this site (default: every site)')
    .option('--out <file>', 'export: write here instead of to stdout')
    .option('--replace', 'import: also remove the settings of the scope that the file does not hold')
    .example('cfa config export --site cloudface-ai.com --out cloudface.json')
    .example('cfa config import cloudface.json --replace')
    .action(run);
}

async function run(action: string, file: string | undefined, options: Options): Promise<void> {
  if (action !== 'export' && action !== 'import')
    throw new UsageError(`config: unknown action ${JSON.stringify(action)} (export or import)`);
  const site = siteOption(options.site);
  const text = action === 'import' ? await readInput(file) : '';
  // Checked before the store is opened: a bad file never touches it.
  const bundle = action === 'import' ? parseBundle(text, site) : null;
  const settings = await openSettings(cliConfig(options));
  const close = () => settings.close();
  try {
    if (bundle) {
      const result = await importConfig(settings, bundle, { replace: Boolean(options.replace) });
      console.log(
        `imported ${result.written} setting(s)${options.replace ? `, removed ${result.removed}` : ''} for ${bundle.site ?? 'every site'}`,
      );
      return;
    }
    const json = JSON.stringify(await exportConfig(settings, site, Date.now()), null, 2) + '\n';
    const out = options.out ?? file;
    if (out) {
      await writeFile(out, json, { mode: 0o600 });
      console.error(`wrote ${out}`);
    } else process.stdout.write(json);
  } finally {
    await close();
  }
}

async function readInput(file: string | undefined): Promise<string> {
  if (!file) throw new UsageError('config import: give the export file (cfa config import FILE)');
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}
