import { accessTable } from '../../support/access-table.ts';
import { testCollector } from '../../support/helpers.ts';

// The JSON store; test/e2e/clickhouse-access.test.ts runs the same table on ClickHouse.
accessTable((env) => testCollector(env));
