// Per-event CPU of page views with a unique referrer each versus none (security review M4):
//   node --import tsx scripts/referrer-cpu.ts [requests]
// Drives a real collector (temporary data dir, rate limit off) through app.request(); the
// figures are the process's user+system CPU per event, so run it on an idle machine.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCollector } from '../server/collector.ts';
import { loadConfig } from '../collector/config.ts';

const requests = Number(process.argv[2] ?? 200);
const UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36';
const dir = await mkdtemp(join(tmpdir(), 'cfa-referrer-cpu-'));
const collector = await createCollector({
  config: loadConfig({ ANALYTICS_DATA_DIR: dir, ANALYTICS_RATE_LIMIT: '0', ANALYTICS_SNAPSHOT_ROWS: '0' }),
});
await collector.queryReady;

type Style = (i: number) => string | undefined;
const styles: Record<string, Style> = {
  'no referrer': () => undefined,
  'unique path on one host': (i) => `https://news.example.org/story/${i}`,
  'unique host': (i) => `https://h${i}.example.net/`,
  'search engine, unique path': (i) => `https://www.google.com/search/${i}`,
};
let serial = 0;
for (const round of [0, 1]) {
  for (const [name, referrer] of Object.entries(styles)) {
    const start = process.cpuUsage();
    for (let r = 0; r < requests; r++) {
      const events = Array.from({ length: 25 }, () => {
        const i = serial++;
        return { k: 'p', s: 'bench.example', u: `https://bench.example/p${i % 50}`, r: referrer(i) };
      });
      const res = await collector.app.request('/api/event', {
        method: 'POST',
        headers: { 'content-type': 'text/plain', 'user-agent': UA, 'x-forwarded-for': '127.0.0.1' },
        body: JSON.stringify(events),
      });
      if (res.status !== 202) throw new Error(`${name}: ${res.status} ${await res.text()}`);
    }
    const used = process.cpuUsage(start);
    // The first round warms the JIT and caches; only the second is reported.
    if (round === 1)
      console.log(
        `${name.padEnd(28)} ${(((used.user + used.system) / (requests * 25)) | 0).toString().padStart(5)} µs CPU/event`,
      );
  }
}
await collector.close();
await rm(dir, { recursive: true, force: true });
