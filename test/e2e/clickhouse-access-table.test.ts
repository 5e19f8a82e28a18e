import { loadConfig } from '../../collector/config.ts';
import { createCollector } from '../../server/collector.ts';
import { accessTable } from '../support/access-table.ts';
import { startClickHouse } from '../support/clickhouse-server.ts';
import { tempDir } from '../support/helpers.ts';

// The route × credential × site table of test/unit/collector/auth-routes.test.ts, with accounts,
// sessions, keys and links in ClickHouse's settings table instead of settings.json.
accessTable(async (env) => {
  const server = await startClickHouse();
  const { dir, cleanup } = await tempDir('cfa-ch-table-');
  const config = loadConfig({
    ANALYTICS_DATA_DIR: dir,
    ANALYTICS_TRUST_PROXY: '1',
    ANALYTICS_RATE_LIMIT: '0',
    ANALYTICS_STORE: 'clickhouse',
    CLICKHOUSE_URL: server.url,
    CLICKHOUSE_DATABASE: 'access_table',
    CLICKHOUSE_FLUSH_MS: '50',
    ...env,
  });
  const collector = await createCollector({ config });
  return {
    collector,
    cleanup: async () => {
      await collector.close();
      await cleanup();
      await server.destroy();
    },
  };
});
