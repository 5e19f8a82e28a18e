import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { percentile } from './lib/percentiles.ts';

/**
 * Latency of one small append + fsync on the temp disk: the floor under every acknowledged
 * ingest batch, printed next to the ingest figures so they can be read across machines.
 */
export async function fsyncLatency(samples = 50): Promise<{ fsync_p50_ms: number; fsync_p95_ms: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'cfa-bench-disk-'));
  const file = await open(join(dir, 'probe.jsonl'), 'a');
  const times: number[] = [];
  try {
    const line = Buffer.from(`${'x'.repeat(250)}\n`);
    for (let i = 0; i < samples; i += 1) {
      const started = performance.now();
      await file.write(line);
      await file.sync();
      times.push(performance.now() - started);
    }
  } finally {
    await file.close();
    await rm(dir, { recursive: true, force: true });
  }
  return {
    fsync_p50_ms: Number(percentile(times, 50).toFixed(2)),
    fsync_p95_ms: Number(percentile(times, 95).toFixed(2)),
  };
}
