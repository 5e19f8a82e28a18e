import type { QueryCase } from './query-set.ts';
import { percentile } from './lib/percentiles.ts';

export interface QueryTiming {
  p50_ms: number;
  p95_ms: number;
  runs: number;
}

/** A query the API does not answer yet (404 without a JSON error): reported, not failed. */
export type QueryResult = QueryTiming | { absent: true };

/**
 * Times each query `runs` times after one warm-up call, one request at a time (the dashboard's
 * pattern). Any answer other than 200 is an error, except a route that does not exist yet.
 */
export async function timeQueries(
  baseUrl: string,
  token: string,
  cases: readonly QueryCase[],
  runs: number,
): Promise<Record<string, QueryResult>> {
  const results: Record<string, QueryResult> = {};
  for (const query of cases) {
    const first = await call(baseUrl, token, query);
    if (first.status === 404 && !first.json) {
      results[query.name] = { absent: true };
      continue;
    }
    if (first.status !== 200) {
      throw new Error(
        `${query.name}: ${query.method} ${query.path} answered ${first.status} ${first.text.slice(0, 300)}`,
      );
    }
    const samples: number[] = [];
    for (let i = 0; i < runs; i += 1) {
      const started = performance.now();
      const answer = await call(baseUrl, token, query);
      samples.push(performance.now() - started);
      if (answer.status !== 200) throw new Error(`${query.name}: answered ${answer.status} on run ${i + 1}`);
    }
    results[query.name] = {
      p50_ms: round(percentile(samples, 50)),
      p95_ms: round(percentile(samples, 95)),
      runs,
    };
  }
  return results;
}

async function call(
  baseUrl: string,
  token: string,
  query: QueryCase,
): Promise<{ status: number; text: string; json: boolean }> {
  const response = await fetch(baseUrl + query.path, {
    method: query.method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(query.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: query.body === undefined ? undefined : JSON.stringify(query.body),
  });
  // The whole body is read: a query is done when the dashboard has its JSON, not at the headers.
  const text = await response.text();
  return {
    status: response.status,
    text,
    json: (response.headers.get('content-type') ?? '').includes('json'),
  };
}

function round(ms: number): number {
  return Number(ms.toFixed(1));
}
