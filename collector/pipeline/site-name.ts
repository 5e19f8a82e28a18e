/**
 * What the collector accepts as a site: dot-separated labels of letters, digits and hyphens (no
 * empty label), with an optional port, at most 253 characters. The same test applies to a
 * site sent as `s` and to one taken from the page URL's host, so every stored site is one the
 * query API's `site=` (query/validate.ts siteOf) can select: `[::1]`, `_x.com` or
 * `a..b` never become sites.
 */
export const SITE_NAME = /^[a-z0-9-]+(\.[a-z0-9-]+)*(:\d{1,5})?$/i;

export function isSiteName(site: string): boolean {
  return site.length <= 253 && SITE_NAME.test(site);
}
