import type { Location } from '../../collector/pipeline/geo.ts';
import { toRecord, type RequestFacts } from '../../collector/pipeline/to-record.ts';
import type { WireEvent } from '../../shared/wire.ts';
import type { StoredRecord } from '../../storage/schema.ts';
import type { Client } from '../../collector/pipeline/user-agent.ts';

/**
 * Turns wire events into stored records with the collector's own `toRecord`, so generated data
 * is exactly what ingestion would have written. Classifying an external referrer costs about
 * 0.5 ms in @tryghost/referrer-parser, which would make 10M events take an hour, so page views
 * with an external referrer or tagged URL are built once per (host, query, referrer) and copied;
 * the unit test checks the copies equal what toRecord gives.
 */
export class RecordBuilder {
  private readonly landings = new Map<string, StoredRecord>();

  build(event: WireEvent, ts: number, visitor: string, location: Location, client: Client): StoredRecord {
    const facts: RequestFacts = { now: ts, visitor, location, client };
    if (event.k !== 'p' || !this.isLanding(event)) return this.checked(toRecord(event, facts), event);
    // The source depends on the host, the query string (UTM, ref) and the referrer, not the path.
    const query = event.u.indexOf('?');
    const key = `${event.u.slice(0, event.u.indexOf('/', 8))}${query < 0 ? '' : event.u.slice(query)}\n${event.r ?? ''}`;
    let template = this.landings.get(key);
    if (!template) {
      template = this.checked(toRecord(event, facts), event);
      // Hand-written tables keep the key space to a few thousand; the bound is a safety net.
      if (this.landings.size > 50_000) this.landings.clear();
      this.landings.set(key, template);
    }
    return {
      ...template,
      ts,
      visitor,
      user: event.i ?? '',
      path: event.u.slice(event.u.indexOf('/', 8), query < 0 ? undefined : query),
      country: location.country,
      region: location.region,
      city: location.city,
      browser: client.browser,
      os: client.os,
      device: client.device,
      props: {},
    };
  }

  private isLanding(event: WireEvent): boolean {
    if (event.u.includes('?')) return true;
    if (!event.r) return false;
    const host = event.u.slice(8, event.u.indexOf('/', 8));
    return !event.r.startsWith(`https://${host}/`);
  }

  private checked(record: StoredRecord | null, event: WireEvent): StoredRecord {
    if (!record) throw new Error(`generator produced an unparseable URL: ${event.u}`);
    return record;
  }
}
