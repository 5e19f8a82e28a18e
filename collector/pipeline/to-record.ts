import type { WireEvent } from '../../shared/wire.ts';
import { emptyRecord, type RecordKind, type StoredRecord } from '../../storage/schema.ts';
import type { Location } from './geo.ts';
import { parsePageUrl, sanitizeReferrer } from './page-url.ts';
import { classifySource } from './referrer.ts';
import type { Client } from './user-agent.ts';

/** What the collector knows about the request, derived from the connection; never from the body. */
export interface RequestFacts {
  /** server receive time */
  now: number;
  visitor: string;
  location: Location;
  client: Client;
}

const KINDS: Record<WireEvent['k'], RecordKind> = { p: 'pageview', e: 'engagement', a: 'action', s: 'share' };

/**
 * Builds the stored record for one validated wire event. Pure: the same event and facts always
 * give the same record. Only page views carry the traffic source, since the visit's source is
 * decided by how it landed, not by later events.
 */
export function toRecord(event: WireEvent, facts: RequestFacts): StoredRecord | null {
  const page = parsePageUrl(event.u, event.h === 1);
  if (!page) return null;
  const record = emptyRecord(KINDS[event.k], facts.now, event.s.toLowerCase());
  record.visitor = facts.visitor;
  record.user = event.i ?? '';
  record.path = page.path;
  record.country = facts.location.country;
  record.region = facts.location.region;
  record.city = facts.location.city;
  record.browser = facts.client.browser;
  record.os = facts.client.os;
  record.device = facts.client.device;
  record.age_ms = event.g ?? 0;
  switch (record.kind) {
    case 'pageview': {
      const source = classifySource(page, sanitizeReferrer(event.r), page.host);
      record.referrer = source.referrer;
      record.source = source.source;
      record.channel = source.channel;
      record.utm_source = page.utm_source;
      record.utm_medium = page.utm_medium;
      record.utm_campaign = page.utm_campaign;
      record.utm_term = page.utm_term;
      record.utm_content = page.utm_content;
      break;
    }
    case 'engagement':
      record.engaged_ms = event.d ?? 0;
      record.scroll = Math.round(event.x ?? 0);
      break;
    case 'action':
      record.name = event.n ?? '';
      record.props = event.p ?? {};
      break;
    case 'share':
      record.name = (event.n ?? '').toLowerCase();
      record.link = event.l ?? '';
      record.recipients = event.c ?? 0;
      record.outcome = event.o === 1 ? 'completed' : event.o === 0 ? 'cancelled' : '';
      record.props = event.p ?? {};
      break;
  }
  return record;
}
