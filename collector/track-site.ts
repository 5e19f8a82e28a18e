import { QueryError } from '../shared/query-error.ts';

/**
 * The site of server-side events on an install where none is named yet: no ANALYTICS_SITES and
 * no event stored. The README names it; the first site seen afterwards takes over.
 */
export const DEFAULT_SITE = 'default';

/** How many sites the 400 lists before "…": enough to pick from, bounded for a flood of forged names. */
const LISTED = 20;

/**
 * The site of a server-side track call that names none (no `site` in the body, no ?site=): the
 * one configured site; without ANALYTICS_SITES the one site the data holds (DEFAULT_SITE itself
 * aside, so server-side calls made before the first page view do not pin it), or DEFAULT_SITE
 * when there is none yet. Several sites and none named is the caller's choice: 400 listing them.
 */
export function chooseSite(configured: readonly string[], seen: readonly string[]): string {
  if (configured.length === 1) return configured[0]!;
  const sites = configured.length > 0 ? configured : seen.filter((site) => site !== DEFAULT_SITE);
  if (sites.length === 0) return DEFAULT_SITE;
  if (sites.length === 1) return sites[0]!;
  const list = [...sites].sort().slice(0, LISTED).join(', ') + (sites.length > LISTED ? ', …' : '');
  throw new QueryError(`site is required (body or ?site=): ${sites.length} sites exist (${list})`);
}
