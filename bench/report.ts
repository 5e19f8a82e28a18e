import type { BeaconFigures } from './beacon-size.ts';
import type { IngestFigures } from './ingest.ts';
import type { QueryResult } from './queries.ts';

export interface BackendRun {
  backend: 'json' | 'clickhouse';
  startup_ms: number;
  query_index: boolean;
  rss_after_load_mb: number | null;
  rss_after_queries_mb: number | null;
  /** ClickHouse only: inserting the dataset through its EventStore */
  load_ms?: number;
  /** ClickHouse only: rows per second through one EventStore (one collector's inserts) */
  insert_rows_per_s?: number;
  /** ClickHouse only: the first rollup build of every closed day */
  build_ms?: number;
  queries: Record<string, QueryResult>;
}

export interface Results {
  when: string;
  mode: 'quick' | 'full' | 'large';
  machine: { cpus: number; cpu: string; memory_gb: number; node: string };
  disk: { fsync_p50_ms: number; fsync_p95_ms: number };
  beacon: BeaconFigures | null;
  ingest: IngestFigures | null;
  datasets: { events: number; days: number; write_ms: number; runs: BackendRun[] }[];
  duration_s: number;
}

/** Prints the results as plain-text tables (the same ones docs/performance.md shows). */
export function printReport(r: Results): void {
  const out: string[] = [];
  out.push(`CloudFace Analytics bench (${r.mode}), ${r.when}`);
  out.push(`${r.machine.cpus} × ${r.machine.cpu}, ${r.machine.memory_gb} GB, Node ${r.machine.node}`);
  out.push(`disk: append + fsync p50 ${r.disk.fsync_p50_ms} ms, p95 ${r.disk.fsync_p95_ms} ms`);
  if (r.beacon) {
    const ok = r.beacon.gzip_bytes <= 1280 ? 'ok' : 'OVER';
    out.push(
      `beacon: ${r.beacon.minified_bytes} B minified, ${r.beacon.gzip_bytes} B ${r.beacon.gzip_tool} (target ≤ 1,280: ${ok})`,
    );
  }
  if (r.ingest) {
    const i = r.ingest;
    out.push('');
    out.push(`Ingest: autocannon, ${i.connections} connections, ${i.duration_s} s each, 127.0.0.1`);
    out.push(
      table(
        ['server', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors'],
        [
          ['bare Hono (204)', i.bare_hono],
          ['collector (fsync, 202)', i.collector],
          [`collector, ${i.batched.events_per_request} events/request`, i.batched],
        ].map(([name, f]) => {
          const figures = f as IngestFigures['collector'];
          return [
            name as string,
            figures.rps,
            figures.p50_ms,
            figures.p99_ms,
            figures.non2xx,
            figures.errors,
          ].map(String);
        }),
      ),
    );
    out.push(
      `ratio collector ÷ bare Hono: ${i.ratio} (target ≥ 0.6); batched: ${i.batched.events_per_s} events/s`,
    );
  }
  if (r.datasets.length > 0) {
    const columns = r.datasets.flatMap((d) => d.runs.map((run) => ({ d, run })));
    const names = [...new Set(columns.flatMap(({ run }) => Object.keys(run.queries)))];
    out.push('');
    out.push(
      'Queries through the HTTP API, p50 / p95 ms, 1–30 runs each (targets at 1M: JSON p95 ≤ 50 ms; ClickHouse overall p95 ≤ 300 ms, the rest ≤ 500 ms at 30 d)',
    );
    const header = ['', ...columns.map(({ d, run }) => `${short(d.events)} ${run.backend}`)];
    const rows = names.map((name) => [name, ...columns.map(({ run }) => cell(run.queries[name]))]);
    rows.push([
      'start-up to serving queries (≤ 3 s at 1M)',
      ...columns.map(
        ({ run }) => `${(run.startup_ms / 1000).toFixed(2)} s${run.query_index ? '' : ' (no index)'}`,
      ),
    ]);
    rows.push([
      'RSS after load / after queries (≤ 500 MB)',
      ...columns.map(({ run }) => `${run.rss_after_load_mb ?? '?'} / ${run.rss_after_queries_mb ?? '?'} MB`),
    ]);
    rows.push([
      'dataset written in (generate + store)',
      ...columns.map(({ d, run }) =>
        run.backend === 'json'
          ? `${(d.write_ms / 1000).toFixed(1)} s`
          : `${((run.load_ms ?? 0) / 1000).toFixed(1)} s`,
      ),
    ]);
    if (columns.some(({ run }) => run.build_ms !== undefined))
      rows.push([
        'ClickHouse: insert rate of one collector / first rollup build',
        ...columns.map(({ run }) =>
          run.build_ms === undefined
            ? ''
            : `${run.insert_rows_per_s ?? '?'} rows/s / ${(run.build_ms / 1000).toFixed(1)} s`,
        ),
      ]);
    out.push(table(header, rows));
  }
  console.log(out.join('\n'));
}

function cell(result: QueryResult | undefined): string {
  if (!result) return '';
  if ('absent' in result) return 'n/a';
  if ('declined' in result) return result.declined;
  return `${result.p50_ms} / ${result.p95_ms}`;
}

function short(events: number): string {
  return events >= 1e6 ? `${events / 1e6}M` : `${events / 1e3}k`;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
