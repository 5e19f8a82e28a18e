import { WIRE_LIMITS, type WireEvent } from '../shared/wire.ts';
import type { StoredRecord } from '../storage/schema.ts';
import { QueryError } from '../shared/query-error.ts';
import type { TrackBody, TrackShareBody } from '../shared/api.ts';
import { toRecord } from './pipeline/to-record.ts';
import { parseEventBody } from './pipeline/validate.ts';
import { hasControlChar } from '../shared/control-chars.ts';

const NO_CLIENT = { browser: '', os: '', device: '', bot: false };
const NO_LOCATION = { country: '', region: '', city: '' };

/**
 * Turns a server-side track / track-share body into a stored record. The body is mapped to the
 * beacon's wire event and checked by the beacon's own validator, so both paths accept exactly the
 * same names, props and limits. There is no browser behind it: no location, no client, and the
 * visitor is `u:<user_id>` (or `s:<session_id>`) instead of a salted IP hash.
 */
export function serverRecord(
  kind: 'action' | 'share',
  raw: unknown,
  fallbackSite: string | null,
  now: number,
): StoredRecord {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw new QueryError('body must be a JSON object');
  const body = raw as Partial<TrackBody & TrackShareBody> & Record<string, unknown>;
  const allowed =
    kind === 'action'
      ? ['site', 'session_id', 'user_id', 'action', 'data', 'path']
      : ['site', 'session_id', 'user_id', 'platform', 'data', 'recipient_count', 'path'];
  for (const key of Object.keys(body))
    if (!allowed.includes(key)) throw new QueryError(`${key}: unknown field`);
  const session = id(body.session_id, 'session_id');
  const user = id(body.user_id, 'user_id');
  if (!session && !user) throw new QueryError('session_id or user_id is required');
  const site = body.site ?? fallbackSite;
  if (typeof site !== 'string' || !site) throw new QueryError('site must be a site name');
  const path = body.path ?? '/';
  if (typeof path !== 'string' || !path.startsWith('/')) throw new QueryError('path must start with /');
  const name = kind === 'action' ? body.action : body.platform;
  const data = body.data ?? {};
  if (!data || typeof data !== 'object' || Array.isArray(data))
    throw new QueryError('data must be an object of scalars');
  const event: WireEvent = {
    k: kind === 'action' ? 'a' : 's',
    s: site,
    u: `https://${site}${path}`,
    n: name as string,
    p: data as Record<string, string | number | boolean>,
    ...(user ? { i: user } : {}),
  };
  if (kind === 'share') {
    event.c = (body.recipient_count ?? 0) as number;
    if (typeof data.link === 'string') event.l = data.link;
  }
  const parsed = parseEventBody(JSON.stringify(event));
  if (!parsed.ok) throw new QueryError(renameField(parsed.error, kind));
  const record = toRecord(parsed.events[0]!, {
    now,
    visitor: user ? `u:${user}` : `s:${session}`,
    location: NO_LOCATION,
    client: NO_CLIENT,
  });
  if (!record) throw new QueryError('path: not a valid page path');
  record.session = session;
  return record;
}

function id(raw: unknown, field: string): string {
  if (raw === undefined || raw === null || raw === '') return '';
  if (typeof raw !== 'string' || raw.length > WIRE_LIMITS.maxUserId || hasControlChar(raw))
    throw new QueryError(`${field} must be a string of at most ${WIRE_LIMITS.maxUserId} characters`);
  return raw;
}

/** Names the seed-style field instead of the wire key in validation messages. */
function renameField(error: string, kind: 'action' | 'share'): string {
  const names: Record<string, string> = {
    n: kind === 'action' ? 'action' : 'platform',
    p: 'data',
    c: 'recipient_count',
    s: 'site',
    u: 'path',
    i: 'user_id',
    l: 'data.link',
  };
  return error.replace(/^(\w)(\.|:)/, (_, key: string, sep: string) => `${names[key] ?? key}${sep}`);
}
