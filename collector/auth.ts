import type { Context } from 'hono';
import type { Clock } from '../storage/types.ts';
import { tokenMatches } from './admin-token.ts';
import { ExpiringMap } from './expiring-map.ts';
import { clientKeyer, MAX_TRACKED_CLIENTS } from './rate-limit.ts';

/**
 * Counts failed token attempts per client and blocks a client that failed too often, so the admin
 * token cannot be guessed online: 10 failures per 15 minutes allow about a thousand guesses a day
 * against a 192-bit token. Clients are keyed like the ingestion rate limit (a keyed hash, IPv6 by
 * /64). The map is bounded and expires oldest first in O(1): a window starts at a client's first
 * failure and is inserted then, so insertion order is expiry order.
 */
export class FailedAuthLimiter {
  private readonly failures: ExpiringMap<{ count: number; since: number }>;
  private readonly id = clientKeyer();

  constructor(
    private readonly maxFailures = 10,
    private readonly windowMs = 15 * 60 * 1000,
    maxClients = MAX_TRACKED_CLIENTS,
  ) {
    this.failures = new ExpiringMap(maxClients, (entry, now) => now - entry.since >= windowMs);
  }

  /** Clients with failures in their window (bounded by maxClients). */
  get size(): number {
    return this.failures.size;
  }

  /** Seconds the client must wait before it may try again; 0 when it may try now. */
  blockedFor(ip: string, now: number): number {
    const entry = this.failures.get(this.id(ip), now);
    if (!entry || entry.count < this.maxFailures) return 0;
    return Math.max(1, Math.ceil((entry.since + this.windowMs - now) / 1000));
  }

  fail(ip: string, now: number): void {
    const id = this.id(ip);
    const entry = this.failures.get(id, now);
    if (entry) entry.count += 1;
    else this.failures.set(id, { count: 1, since: now }, now);
  }
}

export interface AuthDeps {
  adminToken: string;
  /** accepted only where route-access.ts needs `track`, never for reads or erasure */
  writeKey: string | null;
  failures: FailedAuthLimiter;
  /** the request's client address under the configured proxy trust (client-ip.ts) */
  clientIp: (c: Context) => string;
  clock: Clock;
}

/** The token of an `Authorization: Bearer …` header. Tokens in URLs would land in proxy logs. */
export function bearerToken(c: Context): string | null {
  const header = c.req.header('authorization') ?? '';
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : null;
}

/**
 * Checks the request's token against the credentials `writeKey` allows: null when it may go on,
 * else the 401/429 answer. Failed attempts are counted per client; a client over the limit gets
 * 429 with Retry-After even with the right token, so guessing cannot go on. Error messages never
 * repeat what was sent.
 */
export function checkToken(c: Context, deps: AuthDeps, writeKey: boolean): Response | null {
  const ip = deps.clientIp(c);
  const now = deps.clock();
  const wait = deps.failures.blockedFor(ip, now);
  if (wait > 0) {
    c.header('Retry-After', String(wait));
    return c.json({ error: 'too many failed authentication attempts' }, 429);
  }
  const given = bearerToken(c);
  const ok =
    given !== null &&
    (tokenMatches(given, deps.adminToken) ||
      (writeKey && deps.writeKey !== null && tokenMatches(given, deps.writeKey)));
  if (ok) return null;
  // Only a wrong token is a guess; a missing one is a client that forgot to send it.
  if (given !== null) deps.failures.fail(ip, now);
  c.header('WWW-Authenticate', 'Bearer realm="analytics"');
  return c.json({ error: given === null ? 'admin token required' : 'invalid token' }, 401);
}
