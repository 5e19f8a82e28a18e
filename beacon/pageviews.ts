import { count, sendEngagement } from './engagement.ts';
import { hash, options, safe } from './tag.ts';
import { emit, flush } from './transport.ts';

// Only the landing page view carries the referrer: in a single-page app the previous in-app URL
// is where the visitor already was, not where they came from.
let referrer = document.referrer;
let path = '';
let waiting = true;

const currentPath = () => location.pathname + (hash ? location.hash : '');

/** Sends a page view for the current URL, closing the previous page's engagement first. */
export function pageview(): void {
  path = currentPath();
  sendEngagement(location.href);
  emit({ k: 'p', r: referrer });
  referrer = '';
}

/** After a history change: a page view when the path (or the hash, with data-hash) changed. */
export const navigated = safe((): void => {
  if (path && path != currentPath()) pageview();
});

/** The page was hidden or is going away: report its engagement now, while we still can. */
export function hidden(): void {
  count(0);
  sendEngagement();
  flush();
}

/**
 * Visibility changed, or the beacon just started. The first page view waits until the page is
 * shown: a background tab nobody looked at is not a visit, and a prerendered page stays hidden
 * until it is activated.
 */
export function visibility(): void {
  if (document.hidden) return hidden();
  count(1);
  if (options.noAuto == null && waiting) {
    waiting = false;
    pageview();
  }
}

/** A page restored from the back/forward cache is a new visit to it, counted once it is shown. */
export function restored(): void {
  waiting = true;
  visibility();
}
