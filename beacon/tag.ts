/** The script tag's data-* options; a bare boolean attribute reads as ''. */
export let options: DOMStringMap;
/** Collector endpoint: data-api (e.g. a first-party proxy path), else /api/event beside beacon.js. */
export let api: string | URL;
/** 1 when hash routing counts as navigation (data-hash): the fragment is part of the page path. */
export let hash: 1 | undefined;

/**
 * Reads the options. Called once at start, while document.currentScript still points at our tag
 * (it is null in every later callback).
 */
export function readTag(): void {
  const tag = document.currentScript as HTMLScriptElement;
  options = tag.dataset;
  // A relative data-api resolves against the page, as sendBeacon and fetch do.
  api = options.api || new URL('/api/event', tag.src);
  hash = options.hash != null ? 1 : undefined;
}

/** Wraps a callback so that an error inside the beacon never reaches the host page. */
export const safe =
  <A extends unknown[]>(fn: (...args: A) => unknown) =>
  (...args: A): void => {
    try {
      fn(...args);
    } catch {}
  };

/**
 * Reads (no value) or writes a JSON value in localStorage. Storage can throw (Safari private mode,
 * blocked third-party storage, a full quota) or hold a corrupt value: both read as undefined.
 */
export const store = (key: string, value?: unknown): any => {
  try {
    return value ? (localStorage[key] = JSON.stringify(value)) : JSON.parse(localStorage[key]);
  } catch {}
};
