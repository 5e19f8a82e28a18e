import type { QueryCase } from './query-set.ts';
import { percentile } from './lib/percentiles.ts';

export interface QueryTiming {
  p50_ms: number;
  p95_ms: number;
  runs: number;
}

/**
 * A query the API does not answer yet (404 without a JSON error), or one it declined with 503 +
 * Retry-After (a store that did not answer in time): reported in the table, not failed.
 */
export type QueryResult = QueryTiming | { absent: true } | { declined: string };

/** How many times each query runs: `runs`, or fewer (never under `minRuns`) once `budgetMs` is spent. */
export interface Repetitions {
  /** an untimed first call (JIT, caches); without it the first call is the first sample */
  warmup: boolean;
  runs: number;
  minRuns: number;
  budgetMs: number;
}

/**
 * Times each query after one warm-up call, one request at a time (the dashboard's pattern). A
 * slow query gets fewer runs so a full bench stays within minutes. Any answer other than 200 is
 * an error, except a route that does not exist yet.
 */
export async function timeQueries(
  baseUrl: string,
  token: string,
  cases: readonly QueryCase[],
  repetitions: Repetitions,
): Promise<Record<string, QueryResult>> {
  const { runs, minRuns, budgetMs } = repetitions;
  const results: Record<string, QueryResult> = {};
  for (const query of cases) {
    const first = await call(baseUrl, token, query);
    if (first.status === 404 && !first.json) {
      results[query.name] = { absent: true };
      continue;
    }
    if (first.status === 503 && first.json) {
      results[query.name] = { declined: `503 after ${(first.ms / 1000).toFixed(1)} s` };
      continue;
    }
    if (first.status !== 200) {
      throw new Error(
        `${query.name}: ${query.method} ${query.path} answered ${first.status} ${first.text.slice(0, 300)}`,
      );
    }
    const samples: number[] = repetitions.warmup ? [] : [first.ms];
    const began = performance.now();
    let declined: Answer | null = null;
    for (let i = samples.length; i < runs; i += 1) {
      if (i >= minRuns && performance.now() - began > budgetMs) break;
      const started = performance.now();
      const answer = await call(baseUrl, token, query);
      if (answer.status === 503 && answer.json) {
        declined = answer;
        break;
      }
      samples.push(performance.now() - started);
      if (answer.status !== 200) throw new Error(`${query.name}: answered ${answer.status} on run ${i + 1}`);
    }
    results[query.name] = declined
      ? { declined: `503 after ${(declined.ms / 1000).toFixed(1)} s (run ${samples.length + 1})` }
      : {
          p50_ms: round(percentile(samples, 50)),
          p95_ms: round(percentile(samples, 95)),
          runs: samples.length,
        };
  }
  return results;
}

type Answer = { status: number; text: string; json: boolean; ms: number };

/**
 * One request. A reset connection is retried once: the queries are read-only, and a server whose
 * event loop was busy for seconds can close a kept-alive socket just as the client reuses it.
 */
async function call(baseUrl: string, token: string, query: QueryCase): Promise<Answer> {
  try {
    return await callOnce(baseUrl, token, query);
  } catch (error) {
    if ((error as { cause?: { code?: string } }).cause?.code !== 'ECONNRESET') throw error;
    return callOnce(baseUrl, token, query);
  }
}

async function callOnce(baseUrl: string, token: string, query: QueryCase): Promise<Answer> {
  const started = performance.now();
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
    ms: performance.now() - started,
  };
}

function round(ms: number): number {
  return Number(ms.toFixed(1));
}
