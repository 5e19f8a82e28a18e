/**
 * `cfa`, the command line of CloudFace Analytics (cac parses the arguments).
 *
 * Adding a command: write cli/commands/<name>.ts exporting `register(cli: CAC): void`, which
 * calls `cli.command(...)…action(...)`, then add it to COMMANDS below. Keep the action thin: parse
 * the options, call a module that does the work, print. Long commands take an AbortSignal from
 * `interruptible()` (cli/interrupt.ts) so Ctrl-C stops them between whole records. Throw
 * `UsageError` for bad input: it is printed without a stack and exits with status 2.
 */
import { cac, type CAC } from 'cac';
import { ConfigError } from '../collector/config.ts';
import { UsageError } from './usage-error.ts';
import * as access from './commands/access.ts';
import * as clickhouseImport from './commands/clickhouse-import.ts';
import * as configCommand from './commands/config.ts';
import * as demo from './commands/demo.ts';
import * as eraseUser from './commands/erase-user.ts';
import * as exportCommand from './commands/export.ts';
import * as stats from './commands/stats.ts';

const COMMANDS: { register(cli: CAC): void }[] = [
  demo,
  exportCommand,
  stats,
  eraseUser,
  clickhouseImport,
  access,
  configCommand,
];

export async function main(argv: string[]): Promise<void> {
  const cli = cac('cfa');
  for (const command of COMMANDS) command.register(cli);
  cli.help();
  cli.parse(argv, { run: false });
  if (!cli.matchedCommand) {
    if (cli.args.length > 0) throw new UsageError(`unknown command: ${cli.args[0]} (see cfa --help)`);
    if (!cli.options.help) cli.outputHelp();
    return;
  }
  await cli.runMatchedCommand();
}

try {
  await main(process.argv);
} catch (error) {
  if (error instanceof UsageError || error instanceof ConfigError) {
    console.error(`cfa: ${error.message}`);
    process.exitCode = 2;
  } else {
    console.error(error);
    process.exitCode = 1;
  }
}
