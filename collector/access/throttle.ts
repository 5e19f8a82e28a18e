import { FailedAuthLimiter } from '../auth.ts';
import { limiterKey } from '../ip.ts';

/**
 * Failed sign-ins (passwords of accounts and of public links), counted twice: per (account, client)
 * and per client. The pair limit stops a guesser at a few tries per account and address; the
 * per-client limit stops one address from trying many accounts. There is deliberately no limit
 * per account alone: anyone could then lock the real owner out by failing on purpose, whereas
 * here an attacker only ever blocks its own address. Spread over many addresses, guessing still
 * meets scrypt's cost and 10 tries per address per 15 minutes.
 */
export class LoginThrottle {
  constructor(
    private readonly pair = new FailedAuthLimiter(10, 15 * 60 * 1000),
    private readonly client = new FailedAuthLimiter(30, 15 * 60 * 1000),
  ) {}

  /** Seconds to wait before `ip` may try `account` again; 0 when it may try now. */
  blockedFor(ip: string, account: string, now: number): number {
    return Math.max(this.client.blockedFor(ip, now), this.pair.blockedFor(pairKey(ip, account), now));
  }

  fail(ip: string, account: string, now: number): void {
    this.client.fail(ip, now);
    this.pair.fail(pairKey(ip, account), now);
  }
}

// limiterKey first, so an IPv6 client's /64 counts as one client here as it does everywhere.
const pairKey = (ip: string, account: string) => `${limiterKey(ip)}\n${account.toLowerCase()}`;
