import { MAX_BATCH, type WireEvent } from '../shared/wire.ts';
import { userId } from './api.ts';
import { api, hash, options, safe, store } from './tag.ts';

/** An event waiting to be sent; `g` holds its creation time until it leaves as an age. */
type Pending = WireEvent & { g: number };

/** What the capture code hands over: the kind and its own fields; the rest is filled in here. */
export type Draft = Omit<WireEvent, 's' | 'u' | 'g'> & { u?: string };

const KEY = 'cfa_q';

// One queue for everything unsent: events raised in this tick, and those kept from a failed send
// or an earlier page (persisted, so a reload or going offline loses nothing).
let queue: Pending[] = [];

export const loadQueue = (): void => {
  queue = store(KEY) || [];
};

/**
 * Queues one event; everything raised in the same tick leaves in one request. Without data-site
 * the collector takes the site from the page URL.
 */
export function emit(draft: Draft): void {
  queue.push({ s: options.site, u: location.href, h: hash, i: userId, ...draft, g: Date.now() });
  queueMicrotask(flush);
}

/**
 * Sends the queue. Offline, it only persists it, for the `online` event or the next page load.
 * Events older than a day are sent anyway: the collector drops and counts them. Synchronous, so
 * pagehide can use it.
 */
export const flush = safe((): void => {
  const now = Date.now();
  const list = queue;
  queue = [];
  if (!navigator.onLine) return keep(list);
  // A prop the page passed that JSON cannot take (a throwing toJSON, a BigInt) loses its batch,
  // here and not in the page's error handler.
  while (list[0]) post(list.splice(0, MAX_BATCH), now);
  keep([]);
});

// sendBeacon survives the page closing but cannot report failure; when the browser refuses it
// (quota, no support) fetch keepalive takes over, and a batch it cannot deliver is kept.
function post(batch: Pending[], now: number): void {
  const body = JSON.stringify(batch.map((e) => ({ ...e, g: now - e.g })));
  if (!navigator.sendBeacon(api, body))
    fetch(api, { method: 'POST', body, keepalive: true }).catch(() => keep(batch));
}

/** Keeps events for a later flush: the newest 50, persisted so that a reload keeps them too. */
function keep(batch: Pending[]): void {
  store(KEY, (queue = queue.concat(batch).slice(-50)));
}
