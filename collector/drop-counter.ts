/** Why events were not stored; counted so /healthz can show what the collector turned away. */
export type DropReason =
  | 'bot'
  | 'invalid'
  | 'too_large'
  | 'rate_limited'
  | 'site_not_allowed'
  | 'gpc'
  | 'stale'
  | 'referrer_spam'
  /** a link click the beacon sent for the collector to judge that was neither a share, a download nor outbound */
  | 'internal_link'
  | 'unavailable'
  /** the page URL's host, taken as the site when `s` is absent, is not a domain name */
  | 'bad_site'
  /** a new site past ANALYTICS_CAP_SITES_DAY / ANALYTICS_CAP_SITES (growth-caps.ts) */
  | 'cap_site'
  /** a new action or share name past ANALYTICS_CAP_NAMES for its site today */
  | 'cap_name';

export class DropCounter {
  private counts = new Map<DropReason, number>();

  add(reason: DropReason, n = 1): void {
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + n);
  }

  snapshot(): Partial<Record<DropReason, number>> {
    return Object.fromEntries(this.counts);
  }
}
