import type { WireEvent } from '../shared/wire.ts';

// Minimal page-view sender; the full beacon (engagement, SPA, shares, queue) replaces it.
(() => {
  try {
    const script = document.currentScript as HTMLScriptElement | null;
    const api = script?.getAttribute('data-api') || new URL('/api/event', script?.src || location.href).href;
    const event: WireEvent = {
      k: 'p',
      s: script?.getAttribute('data-site') || location.hostname,
      u: location.href,
      r: document.referrer || undefined,
    };
    navigator.sendBeacon(api, new Blob([JSON.stringify(event)], { type: 'text/plain' }));
  } catch {
    // never throw into the host page
  }
})();
