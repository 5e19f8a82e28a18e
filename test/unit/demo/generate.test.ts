import { describe, expect, it } from 'vitest';
import { toRecord } from '../../../collector/pipeline/to-record.ts';
import { generate } from '../../../demo/generate.ts';
import { RecordBuilder } from '../../../demo/generate/records.ts';
import { writeGenerated } from '../../../demo/write-generated.ts';
import { JsonlStore } from '../../../storage/jsonl-store.ts';
import { emptyRecord, parseRecordLine, serializeRecord, type StoredRecord } from '../../../storage/schema.ts';
import { tempDir } from '../../support/helpers.ts';

const DAY = 86_400_000;
const END = Date.UTC(2026, 10, 27, 15, 30);

function all(options: Partial<Parameters<typeof generate>[0]> = {}): StoredRecord[] {
  return [...generate({ seed: 7, days: 14, events: 20_000, end: END, ...options })];
}

describe('generate', () => {
  const records = all();

  it('gives the same records for the same seed and different ones for another seed', () => {
    const again = all();
    expect(again).toEqual(records);
    const other = all({ seed: 8 });
    expect(other.slice(0, 50)).not.toEqual(records.slice(0, 50));
  });

  it('produces exactly the number of events asked for, in time order, inside the range', () => {
    expect(records).toHaveLength(20_000);
    for (let i = 1; i < records.length; i += 1)
      expect(records[i]!.ts).toBeGreaterThanOrEqual(records[i - 1]!.ts);
    expect(records[0]!.ts).toBeGreaterThanOrEqual(END - 14 * DAY);
    expect(records.at(-1)!.ts).toBeLessThan(END);
    expect(all({ events: 37, days: 30 })).toHaveLength(37);
    expect(all({ events: 0 })).toHaveLength(0);
  });

  it('builds complete records that survive the store round trip', () => {
    const fields = Object.keys(emptyRecord('pageview', 0, 's')).sort();
    for (const record of records.slice(0, 2000)) {
      expect(Object.keys(record).sort()).toEqual(fields);
      expect(record.visitor).toMatch(/^[0-9a-f]{16}$/);
      expect(record.site).toBe('cloudface-ai.com');
      expect(parseRecordLine(serializeRecord(record))).toEqual(record);
    }
  });

  it('mixes kinds, countries, browsers, devices, sources and campaigns', () => {
    const pageviews = records.filter((r) => r.kind === 'pageview');
    const distinct = (pick: (r: StoredRecord) => string) => new Set(pageviews.map(pick).filter(Boolean));
    expect(new Set(records.map((r) => r.kind))).toEqual(
      new Set(['pageview', 'engagement', 'action', 'share']),
    );
    expect(distinct((r) => r.country).size).toBeGreaterThanOrEqual(35);
    expect(distinct((r) => `${r.country}/${r.region}/${r.city}`).size).toBeGreaterThan(60);
    expect(distinct((r) => r.browser).size).toBeGreaterThanOrEqual(6);
    expect(distinct((r) => r.device)).toEqual(new Set(['desktop', 'mobile', 'tablet']));
    expect(distinct((r) => r.channel)).toEqual(
      new Set(['direct', 'search', 'social', 'email', 'referral', 'paid']),
    );
    expect(distinct((r) => r.utm_campaign).size).toBeGreaterThanOrEqual(5);
    // Zipf pages: the home page beats a page from the tail by a wide margin.
    const views = (path: string) => pageviews.filter((r) => r.path === path).length;
    expect(views('/')).toBeGreaterThan(10 * views('/careers'));
    // Sessions have several pages: more page views than visitors.
    expect(pageviews.length).toBeGreaterThan(1.5 * distinct((r) => r.visitor).size);
    const engagements = records.filter((r) => r.kind === 'engagement');
    expect(engagements.length).toBeGreaterThan(0.7 * pageviews.length);
    expect(engagements.every((r) => r.engaged_ms > 0 && r.scroll >= 0 && r.scroll <= 100)).toBe(true);
  });

  it('has signed-in users doing CloudFace actions with their properties', () => {
    const actions = records.filter((r) => r.kind === 'action');
    const names = new Set(actions.map((r) => r.name));
    expect(names).toEqual(
      new Set(['photo_processed', 'search_performed', 'photo_downloaded', 'link_created']),
    );
    expect(actions.every((r) => r.user.startsWith('u_'))).toBe(true);
    for (const r of actions.filter((a) => a.name === 'photo_processed')) {
      expect(r.props.processed_count).toBeLessThanOrEqual(r.props.total_files as number);
      expect(r.path).toBe('/upload');
    }
    const searches = actions.filter((r) => r.name === 'search_performed');
    expect(searches.every((r) => typeof r.props.matches_found === 'number')).toBe(true);
    expect(new Set(searches.map((r) => r.props.threshold_used)).has(0.5)).toBe(true);
    // A few power users and a long tail.
    const perUser = new Map<string, number>();
    for (const r of actions) perUser.set(r.user, (perUser.get(r.user) ?? 0) + 1);
    const counts = [...perUser.values()].sort((a, b) => b - a);
    expect(counts[0]!).toBeGreaterThan(5 * counts[Math.floor(counts.length / 2)]!);
  });

  it('has shares by channel and visits arriving through the shared links', () => {
    const shares = records.filter((r) => r.kind === 'share');
    expect(new Set(shares.map((r) => r.name)).size).toBeGreaterThanOrEqual(6);
    expect(shares.every((r) => /^https:\/\/cloudface-ai\.com\/s\/[0-9a-z]{6}$/.test(r.link))).toBe(true);
    expect(shares.filter((r) => r.name === 'whatsapp').every((r) => r.recipients >= 1)).toBe(true);
    expect(new Set(shares.filter((r) => r.name === 'native').map((r) => r.outcome))).toEqual(
      new Set(['completed', 'cancelled']),
    );
    const links = new Map(shares.map((r) => [new URL(r.link).pathname, r.ts]));
    const arrivals = records.filter((r) => r.kind === 'pageview' && r.path.startsWith('/s/'));
    expect(arrivals.length).toBeGreaterThan(20);
    for (const visit of arrivals) {
      expect(visit.ts).toBeGreaterThan(links.get(visit.path)!);
      expect(visit.source).not.toBe('');
    }
    expect(arrivals.some((r) => r.source === 'whatsapp' && r.channel === 'social')).toBe(true);
  });

  it('follows the weekly cycle: weekdays busier than weekends', () => {
    const byWeekday = new Array<number>(7).fill(0);
    for (const r of records) if (r.kind === 'pageview') byWeekday[new Date(r.ts).getUTCDay()]! += 1;
    const weekday = (byWeekday[2]! + byWeekday[3]! + byWeekday[4]!) / 3;
    const weekend = (byWeekday[0]! + byWeekday[6]!) / 2;
    expect(weekday).toBeGreaterThan(1.2 * weekend);
  });

  it('spreads traffic over several sites when asked', () => {
    const multi = all({ events: 5000, sites: ['cloudface-ai.com', 'blog.cloudface-ai.com'] });
    const sites = new Set(multi.map((r) => r.site));
    expect(sites).toEqual(new Set(['cloudface-ai.com', 'blog.cloudface-ai.com']));
    expect(multi.filter((r) => r.site === 'blog.cloudface-ai.com' && r.user !== '')).toHaveLength(0);
  });
});

describe('RecordBuilder', () => {
  it('builds copied landing records exactly as the collector would', () => {
    const builder = new RecordBuilder();
    const cases = [
      { k: 'p', s: 'cloudface-ai.com', u: 'https://cloudface-ai.com/pricing', r: 'https://www.google.com/' },
      { k: 'p', s: 'cloudface-ai.com', u: 'https://cloudface-ai.com/features', r: 'https://www.google.com/' },
      { k: 'p', s: 'cloudface-ai.com', u: 'https://cloudface-ai.com/s/abc123?ref=whatsapp', i: 'u_1' },
      { k: 'p', s: 'cloudface-ai.com', u: 'https://cloudface-ai.com/s/zzz999?ref=whatsapp' },
      { k: 'p', s: 'cloudface-ai.com', u: 'https://cloudface-ai.com/?utm_source=google&utm_medium=cpc' },
      { k: 'p', s: 'cloudface-ai.com', u: 'https://cloudface-ai.com/docs', r: 'https://cloudface-ai.com/' },
    ] as const;
    const client = { browser: 'Firefox', os: 'Linux', device: 'desktop', bot: false };
    for (const [i, event] of cases.entries()) {
      const location = { country: 'DE', region: 'BE', city: `Berlin ${i}` };
      const built = builder.build({ ...event }, 1000 + i, `v${i}`, location, client);
      expect(built).toEqual(toRecord({ ...event }, { now: 1000 + i, visitor: `v${i}`, location, client }));
    }
  });
});

describe('writeGenerated', () => {
  it('stores the generated records through the JSON Lines store with progress', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const progress: number[] = [];
      const options = { dataDir: dir, seed: 3, days: 3, events: 5000, end: END, batchSize: 1000 };
      const result = await writeGenerated({ ...options, onProgress: (n) => progress.push(n) });
      expect(result).toEqual({ written: 5000, interrupted: false });
      expect(progress).toEqual([1000, 2000, 3000, 4000, 5000]);
      const store = await JsonlStore.open({ dataDir: dir, compressEveryMs: 0 });
      const stored: StoredRecord[] = [];
      for await (const r of store.scan()) stored.push(r);
      await store.close();
      const byTime = (a: StoredRecord, b: StoredRecord) => a.ts - b.ts || a.kind.localeCompare(b.kind);
      expect(stored.sort(byTime)).toEqual([...generate(options)].sort(byTime));
    } finally {
      await cleanup();
    }
  });

  it('stops after the current batch when interrupted, leaving whole records', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const abort = new AbortController();
      const result = await writeGenerated({
        dataDir: dir,
        days: 2,
        events: 10_000,
        end: END,
        batchSize: 1000,
        signal: abort.signal,
        onProgress: (n) => n >= 3000 && abort.abort(),
      });
      expect(result).toEqual({ written: 3000, interrupted: true });
      const store = await JsonlStore.open({ dataDir: dir, compressEveryMs: 0 });
      let count = 0;
      for await (const _ of store.scan()) count += 1;
      expect(count).toBe(3000);
      expect(store.health().quarantinedLines).toBe(0);
      await store.close();
    } finally {
      await cleanup();
    }
  });
});
