import { createHash, randomBytes } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type { Clock } from '../storage/types.ts';
import { tokenMatches } from './admin-token.ts';
import { clientIp } from './client-ip.ts';

/**
 * Counts failed token attempts per client and blocks a client that failed too often, so the admin
 * token cannot be guessed online: 10 failures per 15 minutes allow about a thousand guesses a day
 * against a 192-bit token. Clients are keyed by a hash of the IP under a per-process key, like the
 * ingestion rate limit, so no raw address is kept even in memory.
 */
export class FailedAuthLimiter {
  private failures = new Map<string, { count: number; since: number }>();
  private readonly key = randomBytes(16);

  constructor(
    private readonly maxFailures = 10,
    private readonly windowMs = 15 * 60 * 1000,
  ) {}

  /** Seconds the client must wait before it may try again; 0 when it may try now. */
  blockedFor(ip: string, now: number): number {
    const entry = this.failures.get(this.id(ip));
    if (!entry || now - entry.since >= this.windowMs) return 0;
    if (entry.count < this.maxFailures) return 0;
    return Math.max(1, Math.ceil((entry.since + this.windowMs - now) / 1000));
  }

  fail(ip: string, now: number): void {
    const id = this.id(ip);
    const entry = this.failures.get(id);
    if (!entry || now - entry.since >= this.windowMs) this.failures.set(id, { count: 1, since: now });
    else entry.count += 1;
    if (this.failures.size > 100_000) this.evictExpired(now);
  }

  private id(ip: string): string {
    return createHash('sha256').update(this.key).update(ip).digest('base64url').slice(0, 16);
  }

  private evictExpired(now: number): void {
    for (const [id, entry] of this.failures) if (now - entry.since >= this.windowMs) this.failures.delete(id);
  }
}

export interface AuthDeps {
  adminToken: string;
  /** accepted on POST only (server-side tracking), never for reads or erasure */
  writeKey: string | null;
  failures: FailedAuthLimiter;
  trustProxy: boolean;
  clock: Clock;
}

/** The token of an `Authorization: Bearer …` header. Tokens in URLs would land in proxy logs. */
export function bearerToken(c: Context): string | null {
  const header = c.req.header('authorization') ?? '';
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : null;
}

/**
 * Guards the analytics API: every method needs the admin token, except POST (server-side
 * tracking), which also takes the write key. Failed attempts are counted per client and answered
 * 401; a client over the limit gets 429 with Retry-After even with the right token, so guessing
 * cannot go on. Error messages never repeat what was sent.
 */
export function analyticsAuth(deps: AuthDeps): MiddlewareHandler {
  return async (c, next) => {
    const ip = clientIp(c, deps.trustProxy);
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
        (c.req.method === 'POST' && deps.writeKey !== null && tokenMatches(given, deps.writeKey)));
    if (!ok) {
      // Only a wrong token is a guess; a missing one is a client that forgot to send it.
      if (given !== null) deps.failures.fail(ip, now);
      c.header('WWW-Authenticate', 'Bearer realm="analytics"');
      return c.json({ error: given === null ? 'admin token required' : 'invalid token' }, 401);
    }
    await next();
  };
}
