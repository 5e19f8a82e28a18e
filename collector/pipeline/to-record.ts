import type { WireEvent } from '../../shared/wire.ts';
import { emptyRecord, type RecordKind, type StoredRecord } from '../../storage/schema.ts';
import type { Location } from './geo.ts';
import { actionLink, classifyLinkClick, sharedLink } from './link-click.ts';
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

// A link click ('l') becomes a share or an action once classified below.
const KINDS: Record<WireEvent['k'], RecordKind> = {
  p: 'pageview',
  e: 'engagement',
  a: 'action',
  s: 'share',
  l: 'action',
  // Never reaches here: validation expands a click into the event it stands for.
  c: 'action',
};

/**
 * Builds the stored record for one validated wire event. Pure: the same event and facts always
 * give the same record. Only page views carry the traffic source, since the visit's source is
 * decided by how it landed, not by later events.
 */
export function toRecord(event: WireEvent, facts: RequestFacts): StoredRecord | null {
  const page = parsePageUrl(event.u, event.h !== undefined);
  if (!page) return null;
  const click = event.k === 'l' ? classifyLinkClick(event.l ?? '', event.u) : undefined;
  if (click === null) return null;
  const kind = click?.kind ?? KINDS[event.k];
  const site = event.s ?? new URL(event.u).hostname;
  const record = emptyRecord(kind, facts.now, site.toLowerCase());
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
      if (click) {
        record.name = click.kind === 'action' ? click.name : '';
        record.link = click.link;
      } else {
        record.name = event.n ?? '';
        record.props = event.p ?? {};
        record.link = actionLink(event.l, event.u);
      }
      break;
    case 'share': {
      // cfa('share', channel, { link, recipient_count, … }) sends link and count among the props.
      const { link, recipient_count, ...props } = event.p ?? {};
      record.name = (click?.kind === 'share' ? click.channel : (event.n ?? '')).toLowerCase();
      record.link =
        click?.link ?? sharedLink(event.l ?? (typeof link === 'string' ? link : undefined), event.u);
      record.recipients = event.c ?? (typeof recipient_count === 'number' ? recipient_count : 0);
      record.outcome = event.o === 1 ? 'completed' : event.o === 0 ? 'cancelled' : '';
      record.props = props;
      break;
    }
  }
  return record;
}
