import { emit } from './transport.ts';

// Engaged time is counted in stretches: `since` is when the current visible-and-focused stretch
// began (0 while paused) and `ms` what was counted but not yet sent. Each send reports only the
// increment, so the collector can simply add them up.
let ms = 0;
let since = 0;
let depth = 0;
let page = '';

/** Closes the running stretch and starts a new one when `run` is truthy; pauses otherwise. */
export function count(run: unknown): void {
  const now = Date.now();
  if (since) ms += now - since;
  since = run ? now : 0;
}

/** Records the deepest point of the page seen so far, in percent of its height. */
export function scrolled(): void {
  // |0 also turns the Infinity of an empty document into 0.
  depth = Math.max(
    depth,
    Math.min(100, ((100 * (scrollY + innerHeight)) / document.documentElement.scrollHeight) | 0),
  );
}

/**
 * Sends the engaged time and scroll depth of the current page, if there is anything new, and when
 * `next` is given moves on to that page (a new page view).
 */
export function sendEngagement(next?: string): void {
  count(since);
  scrolled();
  if (page && ms) emit({ k: 'e', u: page, d: ms, x: depth });
  ms = 0;
  if (next) {
    page = next;
    depth = 0;
  }
}
