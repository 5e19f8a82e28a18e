import { connectClickHouse } from '../query/clickhouse/connection.ts';
import { migrate } from '../query/clickhouse/migrate.ts';
import { ClickHouseSettingsStore } from '../query/clickhouse/settings.ts';
import type { Config } from '../collector/config.ts';
import { FileSettingsStore } from '../storage/settings/file-settings-store.ts';
import type { SettingsStore } from '../storage/settings/settings-store.ts';
import { systemClock } from '../storage/types.ts';

/**
 * The settings the collector of this configuration reads: ClickHouse's table when
 * ANALYTICS_STORE=clickhouse, else settings.json in the data dir. A running collector sees a
 * change on its next request (ClickHouse: within its 1 s cache), so no restart is needed.
 */
export async function openSettings(config: Config): Promise<SettingsStore> {
  if (!config.clickhouse) return new FileSettingsStore(config.dataDir);
  const connection = await connectClickHouse(config.clickhouse);
  await migrate(connection);
  // On a cluster the settings live on the first node (query/clickhouse/open.ts).
  const store = new ClickHouseSettingsStore(connection.cluster?.nodes[0] ?? connection, systemClock);
  return {
    kinds: () => store.kinds(),
    list: (kind, site) => store.list(kind, site),
    get: (kind, id) => store.get(kind, id),
    put: (doc) => store.put(doc),
    remove: (kind, id) => store.remove(kind, id),
    async close() {
      await store.close();
      await connection.close();
    },
  };
}
