import { resolve } from 'node:path';
import { loadConfig, type Config } from '../collector/config.ts';

/** The collector's configuration from the environment, with --data-dir taking precedence. */
export function cliConfig(options: { dataDir?: string }): Config {
  const config = loadConfig(process.env);
  if (options.dataDir) config.dataDir = resolve(String(options.dataDir));
  return config;
}
