import { defineConfig } from 'vitest/config';

// Two projects: `unit` needs only npm packages (npm test); `e2e` drives Debian's chromium and
// clickhouse-server (npm run test:e2e, installed by .ci/run). Both build dist/ first.
export default defineConfig({
  test: {
    globalSetup: ['test/setup/build-dist.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node', testTimeout: 20_000 },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
        // The parity tests and the dashboard over ClickHouse again, on a two-shard ClickHouse cluster
        // (test/e2e/parity-pair.ts), after the e2e project, so the two never share the machine's cores.
        extends: true,
        test: {
          name: 'e2e-cluster',
          include: [
            'test/e2e/clickhouse-action-sums.test.ts',
            'test/e2e/clickhouse-parity.test.ts',
            'test/e2e/clickhouse-parity-sessions.test.ts',
            'test/e2e/clickhouse-combinations.test.ts',
            'test/e2e/clickhouse-rollups.test.ts',
            'test/e2e/dashboard-clickhouse.test.ts',
          ],
          env: { CFA_CLICKHOUSE_SHARDS: '2' },
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
