/**
 * Deterministic synthetic CloudFace traffic, for `cfa demo`, benchmarks and tests that need a
 * realistic dataset. `generate` streams StoredRecords in time order, exactly as the collector would
 * have stored them (they go through its own toRecord and user-agent parser), so 10M events never
 * sit in memory: it holds only the events of sessions still in progress (an hour or so).
 *
 *   for (const record of generate({ seed: 1, days: 7, events: 50_000, end: Date.UTC(2026, 10, 27) })) …
 *
 * Shape: sessions of several page views with engagement records, Zipf pages and referrers, UTM
 * campaigns, ~40 weighted countries with regions and cities in their local daily/weekly cycle, a
 * browser/OS/device mix from real user-agent strings, identified users doing CloudFace actions
 * (photo_processed, search_performed, photo_downloaded, link_created, shares by channel) and
 * visits arriving through the shared links with ref=<channel>. About 9 records per session.
 */
import type { Location } from '../collector/pipeline/geo.ts';
import { parseUncached, type Client } from '../collector/pipeline/user-agent.ts';
import type { StoredRecord } from '../storage/schema.ts';
import { Random, Weighted, hash32, hex16 } from './generate/random.ts';
import { RecordBuilder } from './generate/records.ts';
import { anonymousSession, userSession, type TimedEvent } from './generate/session.ts';
import { SharedLinks } from './generate/shared-links.ts';
import { COUNTRIES, USER_AGENTS } from './generate/tables.ts';
import { TimeHeap } from './generate/time-heap.ts';
import { DAY, HOUR, countryWeights } from './generate/traffic-curve.ts';

export interface GenerateOptions {
  /** same seed, same dataset (default 1) */
  seed?: number;
  /** how many days before `end` the traffic covers (default 30) */
  days?: number;
  /** exact number of records to produce */
  events: number;
  /** end of the covered range, epoch ms (exclusive); every record is before it */
  end: number;
  /** site domains, the first one the busiest and the only one with signed-in users */
  sites?: readonly string[];
}

interface Person {
  location: Location;
  client: Client;
}

// Records per session come out at about 9; this only sizes the visitor pools.
const RECORDS_PER_SESSION = 9;
const USER_SESSION_SHARE = 0.22;

/** The id of the signed-in user of rank `index` (0 is the most active) for a seed. */
export function generatedUserId(seed: number, index: number): string {
  return `u_${hex16(seed, 6, index).slice(0, 10)}`;
}

/** Streams `events` records in time order across `days` days before `end`. */
export function* generate(options: GenerateOptions): Generator<StoredRecord> {
  const seed = options.seed ?? 1;
  const days = options.days ?? 30;
  const total = Math.max(0, Math.floor(options.events));
  const sites = options.sites?.length ? options.sites : ['cloudface-ai.com'];
  const end = options.end;
  const start = end - days * DAY;
  if (!(days > 0) || !Number.isFinite(end)) throw new RangeError('generate: days must be > 0 and end a time');
  if (total === 0) return;

  const random = new Random(seed);
  const clients = USER_AGENTS.map(([ua]) => parseUncached(ua));
  const uaPick = new Weighted(
    clients.map((_, i) => i),
    USER_AGENTS.map(([, w]) => w),
  );
  const countryPick = new Weighted(
    COUNTRIES.map((_, i) => i),
    COUNTRIES.map((c) => c.weight),
  );
  const sitePick = Weighted.zipf(sites, 1.5);
  // A person's city and browser are fixed by their key, so returning visitors look the same.
  const personAt = (countryIndex: number, ...key: number[]): Person => {
    const r = new Random(hash32(seed, countryIndex, ...key));
    const country = COUNTRIES[countryIndex]!;
    const [region, city] =
      country.cities[
        Math.min(country.cities.length - 1, Math.floor(country.cities.length * Math.pow(r.next(), 1.6)))
      ]!;
    return { location: { country: country.code, region, city }, client: clients[uaPick.pick(r)]! };
  };

  // Signed-in users: a fixed population with Zipf activity (a few power users, a long tail).
  const userCount = Math.min(50_000, Math.max(20, Math.round(total / 400)));
  const users = Array.from({ length: userCount }, (_, i) => {
    const r = new Random(hash32(seed, 5, i));
    const country = countryPick.pick(r);
    return { id: generatedUserId(seed, i), person: personAt(country, 7, i) };
  });
  const userPick = Weighted.zipf(
    users.map((_, i) => i),
    0.8,
  );
  // Anonymous visitors come from a pool per country sized so some return the same day.
  const sessionsPerDay = total / RECORDS_PER_SESSION / days;
  const totalWeight = COUNTRIES.reduce((s, c) => s + c.weight, 0);
  const pools = COUNTRIES.map((c) =>
    Math.max(20, Math.ceil((sessionsPerDay * 1.3 * c.weight) / totalWeight)),
  );

  // Time slots of an hour (the first one may be partial); each gets records in proportion to its
  // traffic weight, so the daily and weekly cycles show however many events are asked for.
  const slots: { from: number; to: number; countries: Weighted<number>; weight: number }[] = [];
  for (let from = start; from < end;) {
    const to = Math.min(end, (Math.floor(from / HOUR) + 1) * HOUR);
    const weights = countryWeights(from, (from - start) / (end - start));
    const sum = weights.reduce((a, b) => a + b, 0);
    slots.push({
      from,
      to,
      countries: new Weighted(
        weights.map((_, i) => i),
        weights,
      ),
      weight: (sum * (to - from)) / HOUR,
    });
    from = to;
  }
  const weightSum = slots.reduce((s, slot) => s + slot.weight, 0);

  const heap = new TimeHeap<StoredRecord>();
  const records = new RecordBuilder();
  const links = new SharedLinks();
  let kept = 0;
  let emitted = 0;
  let cumulative = 0;
  for (const slot of slots) {
    cumulative += slot.weight;
    const target = (total * cumulative) / weightSum;
    while (kept < target) {
      const sessionStart = slot.from + random.int(slot.to - slot.from);
      const siteIndex = sites.indexOf(sitePick.pick(random));
      const site = sites[siteIndex]!;
      let events: TimedEvent[];
      let person: Person;
      let visitorKey: number[];
      if (siteIndex === 0 && random.chance(USER_SESSION_SHARE)) {
        const u = userPick.pick(random);
        events = userSession({ random, site, start: sessionStart, user: users[u]!.id, links });
        person = users[u]!.person;
        visitorKey = [11, u];
      } else {
        const country = slot.countries.pick(random);
        const index = random.int(pools[country]!);
        events = anonymousSession({ random, site, start: sessionStart, links });
        person = personAt(country, 9, index, siteIndex);
        visitorKey = [13, country, index, siteIndex];
      }
      let day = -1;
      let visitor = '';
      for (const { ts, event } of events) {
        if (ts >= end) break;
        // The collector's salt changes at UTC midnight, and with it the visitor id.
        const eventDay = Math.floor(ts / DAY);
        if (eventDay !== day) {
          day = eventDay;
          visitor = hex16(seed, ...visitorKey, day);
        }
        heap.push(ts, records.build(event, ts, visitor, person.location, person.client));
        kept += 1;
      }
    }
    while (heap.peekTime() < slot.to) {
      yield heap.pop()!;
      if (++emitted === total) return;
    }
  }
  while (heap.size > 0 && emitted < total) {
    yield heap.pop()!;
    emitted += 1;
  }
}
