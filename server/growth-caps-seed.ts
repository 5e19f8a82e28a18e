import type { Clock } from '../storage/types.ts';
import { DAY_MS } from '../shared/time.ts';
import { MemoryBackend } from '../query/memory/backend.ts';
import type { MemoryIndex } from '../query/memory/index.ts';
import type { QueryBackend } from '../query/backend.ts';
import type { Config } from '../collector/config.ts';
import { GrowthCaps } from '../collector/growth-caps.ts';

/**
 * The collector's growth caps, seeded from today's records in the in-memory index once its
 * history has loaded, so a restart does not hand out a fresh day's worth of new values. With
 * ClickHouse the caps start empty at each start (see docs/hardening-ingest.md).
 */
export function startGrowthCaps(
  config: Pick<Config, 'caps' | 'sites'>,
  clock: Clock,
  backend: QueryBackend,
  loaded: Promise<void>,
): GrowthCaps {
  // ANALYTICS_SITES bounds the sites itself; the per-site caps still apply.
  const caps = new GrowthCaps(config.caps, config.sites.length === 0);
  caps.roll(clock());
  if (backend instanceof MemoryBackend)
    void loaded
      .then(() => seedFromIndex(caps, backend.index, clock()))
      // Unseeded caps still bound the day, only from an empty start; never worth a crash.
      .catch((error: Error) => console.error(`growth caps: seeding from the index failed: ${error.message}`));
  return caps;
}

/**
 * Feeds the caps every site the index holds and every value stored today: about 2 µs a row
 * (0.2 s for a day of 100k rows), yielding every 4096 rows so ingestion keeps answering.
 */
export async function seedFromIndex(caps: GrowthCaps, index: MemoryIndex, now: number): Promise<void> {
  caps.roll(now);
  for (const site of index.cols.dicts.site.values) if (site) caps.seedSite(site);
  index.ready();
  const end = index.length;
  for (let i = index.lowerBound(Math.floor(now / DAY_MS) * DAY_MS); i < Math.min(end, index.length); i++) {
    caps.seed(index.cols.record(i));
    if (i % 4096 === 4095) await new Promise((resolve) => setImmediate(resolve));
  }
}
