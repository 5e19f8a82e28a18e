import { WIRE_LIMITS } from '../shared/wire.ts';
import type { SaltStore } from '../storage/salts.ts';
import type { StoredRecord } from '../storage/schema.ts';
import { StoreUnavailableError, type Clock, type EventStore } from '../storage/types.ts';
import type { DropCounter, DropReason } from './drop-counter.ts';
import type { GrowthCaps } from './growth-caps.ts';
import type { Geolocate } from './pipeline/geo.ts';
import { toRecord } from './pipeline/to-record.ts';
import type { UserAgentParser } from './pipeline/user-agent.ts';
import { isSpamReferrer } from './referrer-spam.ts';
import { isSiteName } from './pipeline/site-name.ts';
import { parseEventBody } from './pipeline/validate.ts';
import { visitorId } from './pipeline/visitor.ts';

export interface IngestDeps {
  store: EventStore;
  salts: SaltStore;
  geolocate: Geolocate;
  userAgents: UserAgentParser;
  clock: Clock;
  drops: DropCounter;
  /** allowed sites (lower case); empty accepts any */
  sites: readonly string[];
  honorGpc: boolean;
  /** referrer-spam hosts (collector/referrer-spam.txt); page views from them are dropped */
  spamReferrers?: ReadonlySet<string>;
  /** per site and day bounds on new names, prop keys, paths… (growth-caps.ts) */
  caps: GrowthCaps;
  /** told about every record once it is durable (the query index listens here) */
  onStored?: (records: readonly StoredRecord[]) => void;
}

/** The request as far as ingestion may know it: the IP and user agent live only in this object. */
export interface IngestRequest {
  body: string;
  ip: string;
  userAgent: string;
  /** Sec-GPC: 1 was sent */
  gpc: boolean;
}

export type IngestResult =
  | { status: 202; accepted: number; dropped: Partial<Record<DropReason, number>> }
  | { status: 204; reason: DropReason }
  | { status: 400 | 403; error: string }
  | { status: 503; error: string };

/**
 * Runs one beacon request through the pipeline: validate, drop what must be dropped, derive
 * location, client and visitor id from the connection, then store. The result is decided only
 * after the store acknowledged, so a 202 always means "on disk".
 */
export async function ingest(request: IngestRequest, deps: IngestDeps): Promise<IngestResult> {
  const parsed = parseEventBody(request.body);
  if (!parsed.ok) {
    deps.drops.add('invalid');
    return { status: 400, error: parsed.error };
  }
  const events = parsed.events;
  if (deps.honorGpc && request.gpc) return dropAll(deps, 'gpc', events.length);
  const client = deps.userAgents.parse(request.userAgent);
  if (client.bot) return dropAll(deps, 'bot', events.length);
  if (deps.sites.length > 0) {
    const foreign = events.find((e) => !deps.sites.includes(e.s.toLowerCase()));
    if (foreign) {
      deps.drops.add('site_not_allowed', events.length);
      return { status: 403, error: `site ${JSON.stringify(foreign.s)} is not in ANALYTICS_SITES` };
    }
  }

  const now = deps.clock();
  const location = deps.geolocate(request.ip);
  let salt: Buffer;
  try {
    salt = await deps.salts.saltFor(now);
  } catch (error) {
    // No salt (a full disk at the start of a UTC day): nothing can be hashed or stored yet.
    if (!(error instanceof StoreUnavailableError)) throw error;
    deps.drops.add('unavailable', events.length);
    return { status: 503, error: 'storage is unavailable, retry later' };
  }
  const records: StoredRecord[] = [];
  const dropped: Partial<Record<DropReason, number>> = {};
  for (const event of events) {
    if ((event.g ?? 0) > WIRE_LIMITS.maxAgeMs) {
      dropped.stale = (dropped.stale ?? 0) + 1;
      continue;
    }
    if (event.k === 'p' && deps.spamReferrers && isSpamReferrer(event.r, deps.spamReferrers)) {
      dropped.referrer_spam = (dropped.referrer_spam ?? 0) + 1;
      continue;
    }
    // Only a site taken from the URL's host can fail here: a sent `s` was checked by the validator.
    if (!isSiteName(event.s)) {
      dropped.bad_site = (dropped.bad_site ?? 0) + 1;
      continue;
    }
    const visitor = visitorId(salt, event.s.toLowerCase(), request.ip, request.userAgent);
    const record = toRecord(event, { now, visitor, location, client });
    if (record) {
      const capped = deps.caps.admit(record);
      if (capped) dropped[capped] = (dropped[capped] ?? 0) + 1;
      else records.push(record);
    } else {
      // The beacon leaves link classification to us, so a same-site link click is expected, not bad.
      const reason: DropReason = event.k === 'l' ? 'internal_link' : 'invalid';
      dropped[reason] = (dropped[reason] ?? 0) + 1;
    }
  }
  for (const [reason, n] of Object.entries(dropped)) deps.drops.add(reason as DropReason, n);
  if (records.length === 0) return { status: 204, reason: Object.keys(dropped)[0] as DropReason };

  try {
    await deps.store.append(records);
  } catch (error) {
    deps.drops.add('unavailable', records.length);
    if (error instanceof StoreUnavailableError)
      return { status: 503, error: 'storage is unavailable, retry later' };
    throw error;
  }
  deps.onStored?.(records);
  return { status: 202, accepted: records.length, dropped };
}

function dropAll(deps: IngestDeps, reason: DropReason, n: number): IngestResult {
  deps.drops.add(reason, n);
  return { status: 204, reason };
}
