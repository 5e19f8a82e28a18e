import { afterAll, beforeAll } from 'vitest';
import type { Collector } from '../../../server/collector.ts';
import { FileSettingsStore } from '../../../storage/settings/file-settings-store.ts';
import { collectorOver, fixedClock } from '../../support/helpers.ts';
import { analysisRecords, NOW } from '../../support/analysis/analysis-data.ts';
import { analysisSuite, TOKEN } from '../../support/analysis/analysis-suite.ts';

// The in-memory engine over the JSON Lines store, settings in settings.json (ClickHouse: the e2e
// file clickhouse-analysis.test.ts runs the same suite).
let collector: Collector;
let outside: FileSettingsStore;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ collector, cleanup } = await collectorOver(
    analysisRecords(),
    { ANALYTICS_ADMIN_TOKEN: TOKEN },
    fixedClock(NOW),
  ));
  outside = new FileSettingsStore(
    (collector.settings as FileSettingsStore).path.replace(/\/settings\.json$/, ''),
  );
});
afterAll(async () => {
  await outside.close();
  await cleanup();
});

analysisSuite(() => ({ collector, outside }));
