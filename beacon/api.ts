import type { WireScalar } from '../shared/wire.ts';
import { pageview } from './pageviews.ts';
import { emit } from './transport.ts';

/**
 * The site's own user id, from cfa('identify', id). Kept in memory only, never in a cookie or
 * storage: it lasts as long as the page, and the site identifies again on its next page.
 */
export let userId: string | null | undefined;

/**
 * The global cfa(command, …): 'track' a custom action, 'share' explicitly, 'identify' the user
 * (null forgets them), or send a manual 'pageview'. Unknown commands do nothing. A share's `link`
 * and `recipient_count` travel as props; the collector files them under link and recipients.
 */
export function command(name: string, arg?: string | null, props?: Record<string, WireScalar>): void {
  if (name == 'pageview') pageview();
  // The collector reads a null id as none and a number as its string.
  if (name == 'identify') userId = arg;
  const k = name == 'track' ? 'a' : name == 'share' ? 's' : 0;
  if (k) emit({ k, n: arg!, p: props });
}
