import { RetryLaterError } from '../../shared/retry-later.ts';
import type { ClickHouseConnection } from './connection.ts';
import type { SqlFragment } from './sql.ts';

/** Runs a SELECT and returns its (already aggregated) rows. */
export async function rows<T>(conn: ClickHouseConnection, query: SqlFragment): Promise<T[]> {
  return retryLaterOnTimeout(async () => {
    const result = await conn.client.query({
      query: query.text,
      format: 'JSONEachRow',
      clickhouse_settings: conn.settings,
    });
    return result.json<T>();
  });
}

/** ClickHouse did not answer a statement within the client's request timeout. */
export class ClickHouseTimeoutError extends RetryLaterError {
  constructor() {
    super(
      'ClickHouse did not answer in time (it may be busy); retry shortly, or ask for a shorter range or fewer filters',
      5,
    );
    this.name = 'ClickHouseTimeoutError';
  }
}

/**
 * Runs a statement, turning the client's request timeout into a ClickHouseTimeoutError: a busy
 * server is a wait-and-retry for the caller (503 + Retry-After), not an internal error.
 */
export async function retryLaterOnTimeout<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    // @clickhouse/client rejects with a plain Error whose message is "Timeout error." (its socket
    // timer); nothing else it throws reads like that.
    if (error instanceof Error && /^Timeout error/.test(error.message)) throw new ClickHouseTimeoutError();
    throw error;
  }
}
