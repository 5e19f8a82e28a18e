// The beacon: one file, because every byte counts against its gzip budget (see the README's size
// note) and module boundaries would need setters for the shared state below. Sections: setup and
// helpers, transport, engagement and page views, clicks, the cfa() API, start.
//
// Size habits (each measured with `gzip -9n`): anything the collector can derive is left to it
// (UTM, referrer cleaning, share channels, click classification, prop names); one send path with
// the offline queue folded in; one safe() for every try/catch; shared state in module variables.
import type { WireDraft, WireEvent } from '../shared/wire.ts';

type Cfa = ((...args: unknown[]) => void) & { q?: unknown[][] };
type Pending = WireEvent & { g: number };

const w = window as Window & { cfa?: Cfa };
const d = document;
const nav = navigator as Navigator & { globalPrivacyControl?: boolean };
const L = location;

/** The tag's data-* options; a bare boolean attribute reads as ''. */
let options: DOMStringMap;
/** data-api (resolved by sendBeacon against the page), else /api/event beside beacon.js. */
let api: string | URL;
/** The site's own user id from cfa('identify', id): in memory only, never a cookie or storage. */
let userId: unknown;
/** Everything unsent: this tick's events and those kept from a failed send or an earlier page. */
let queue: Pending[] = [];
// Engaged time is counted in stretches: `since` is when the visible-and-focused stretch began (0
// while paused) and `ms` what was counted but not yet sent, so each send is only the increment.
let ms = 0;
let since = 0;
let depth = 0;
/** The current page's path (with the fragment under data-hash); unset until its page view. */
let path: string | undefined;
// Only the landing page view carries the referrer: in a single-page app the previous in-app URL
// is where the visitor already was, not where they came from.
let referrer = d.referrer;

/** Wraps a function so that an error inside the beacon never reaches the host page. */
const safe =
  <A extends unknown[], R>(fn: (...args: A) => R) =>
  (...args: A): R | undefined => {
    try {
      return fn(...args);
    } catch {
      // Swallowed on purpose: the beacon never throws into the host page.
    }
  };

/** Reads (no value) or writes a JSON value in localStorage; throwing or corrupt storage reads as undefined. */
const store = safe((key: string, value?: unknown) =>
  value ? (localStorage[key] = JSON.stringify(value)) : JSON.parse(localStorage[key]),
);

// --- Transport -----------------------------------------------------------------------------

/** Queues one event; everything raised in the same tick leaves in one request. */
const emit = (draft: WireDraft): void => {
  // data-hash's value (usually '') tells the collector the fragment is part of the path.
  queue.push({ s: options.site, u: L.href, h: options.hash, i: userId, ...draft, g: Date.now() } as Pending);
  queueMicrotask(flush);
};

/** Keeps events for a later flush: the newest 50, persisted so that a reload keeps them too. */
const keep = (events: Pending[]) => store('cfa_q', (queue = queue.concat(events).slice(-50)));

/**
 * Sends the queue, 25 events a request (the collector's MAX_BATCH), with each event's age in `g`.
 * Offline it only persists the queue, for the `online` event or the next page load; events older
 * than a day are sent anyway and dropped by the collector. Synchronous, so pagehide can use it.
 * sendBeacon survives the page closing but cannot report failure; when the browser refuses it,
 * fetch keepalive takes over, and a batch it cannot deliver is kept.
 */
const flush = safe(() => {
  const now = Date.now();
  const list = queue.splice(0);
  if (nav.onLine)
    while (list[0]) {
      const batch = list.splice(0, 25);
      const body = JSON.stringify(batch.map((e) => ({ ...e, g: now - e.g })));
      if (!nav.sendBeacon(api, body))
        fetch(api, { method: 'POST', body, keepalive: true }).catch(() => keep(batch));
    }
  keep(list);
});

// --- Engaged time, scroll depth and page views ---------------------------------------------

/** Closes the running stretch, and starts a new one when `run` is truthy. */
const count = (run: unknown) => {
  const now = Date.now();
  ms += since && now - since;
  since = run ? now : 0;
};

/** Records the deepest point of the page seen so far, in percent of its height. */
const scrolled = () => {
  // |0 also turns the Infinity of an empty body into 0; the body can end above the viewport.
  depth = Math.max(depth, Math.min(100, ((100 * (scrollY + innerHeight)) / d.body.scrollHeight) | 0));
};

/** Sends the current page's engaged time and depth if any time was added; `run` keeps counting. */
const sendEngagement = (run?: unknown) => {
  count(run);
  scrolled();
  // The page's own URL without its query: UTM and the like belong to the page view.
  if (path && ms) emit({ k: 'e', u: L.origin + path, d: ms, x: depth });
  ms = 0;
};

const currentPath = () => L.pathname + (options.hash != null ? L.hash : '');

/** Sends a page view for the current URL, closing the previous page's engagement first. */
const pageview = () => {
  sendEngagement(since);
  path = currentPath();
  depth = 0;
  emit({ k: 'p', r: referrer });
  referrer = '';
};

/** After a history change: a page view when the path (or the fragment, with data-hash) changed. */
const navigated = safe(() => path && path != currentPath() && pageview());

/** The page was hidden or is going away: report its engagement now, while we still can. */
const hidden = () => {
  sendEngagement();
  flush();
};

/**
 * Visibility or focus changed, or the beacon just started. The first page view waits until the
 * page is shown: a background tab nobody looked at is not a visit, and a prerendered page stays
 * hidden until it is activated.
 */
const visibility = () => {
  if (d.hidden) return hidden();
  count(1);
  if (!path && options.noAuto == null) pageview();
};

// --- Clicks --------------------------------------------------------------------------------

// A QR download: an a[download] whose file name or image mentions it (:has is in every target browser).
const QR = 'a[download*="qr" i],a[download]:has([alt*="qr" i])';

/**
 * A click on a tagged element (data-cfa-event), a share (data-share, a QR download) or a link
 * leaving the page (another host, a mailto:/app scheme, a file) goes to the collector as it is:
 * the element's data-* attributes, its link and whether it is a QR download. The collector turns
 * it into the action, share, download or outbound link it stands for. The click itself is never
 * touched: navigation, middle-click and target=_blank work as usual. A right-click, or a click
 * on anything else, throws at `el.dataset`/`el.matches` below, which safe() swallows.
 */
const click = (e: MouseEvent) => {
  const el = (e.button < 2 &&
    (e.target as Element).closest('[data-cfa-event],[data-share],a[href]')) as HTMLAnchorElement;
  const dataset = el.dataset;
  const q = el.matches(QR);
  if (
    (dataset.cfaEvent || dataset.share || q || el.host != L.host || /\.\w+$/.test(el.pathname)) &&
    el.protocol != 'javascript:'
  )
    // A data: link can be megabytes; 2,000 characters is all the collector keeps of a link.
    emit({ k: 'c', p: dataset as Record<string, string>, l: el.href?.slice(0, 2000), q });
};

// --- The cfa() API -------------------------------------------------------------------------

/**
 * cfa(command, …): 'track' a custom action, 'share' explicitly, 'identify' the user (null forgets
 * them), or send a manual 'pageview'. Unknown commands do nothing. A share's `link` and
 * `recipient_count` travel as props; the collector files them under link and recipients.
 */
const command = (name: unknown, arg?: unknown, props?: unknown) => {
  if (name == 'pageview') pageview();
  else if (name == 'identify') userId = arg;
  else if ((name = name == 'track' ? 'a' : name == 'share' && 's'))
    emit({ k: name, n: arg, p: props } as WireDraft);
};

// --- Start ---------------------------------------------------------------------------------

// Decide whether to run, replace the queue stub with the real API, replay what the page queued
// before we loaded, then start capturing.
safe(() => {
  const queued = w.cfa?.q || [];
  // currentScript points at our tag only now, never in a later callback.
  const tag = d.currentScript as HTMLScriptElement;
  options = tag.dataset;
  api = options.api || new URL('/api/event', tag.src);
  const reason =
    (nav.webdriver && 'webdriver') ||
    (options.ignoreDnt == null && (nav.doNotTrack == '1' || nav.globalPrivacyControl) && 'dnt') ||
    (store('cfa_ignore') === true && 'cfa_ignore') ||
    // localhost, 127.x, [::1], and '' (file: pages have no host)
    (options.allowLocalhost == null && /^(localhost|127\.|\[::1]|$)/.test(L.hostname) && 'localhost');
  // A skipped page sends nothing, keeps nothing, and leaves the stub in place.
  if (reason) return options.debug != null && console.log('cfa: skipped, ' + reason);
  w.cfa = safe(command);
  queue = store('cfa_q') || [];
  queued.map((args) => w.cfa!(...args));
  // Each handler takes its own event type.
  // visibilitychange is a document event that bubbles up to window.
  type Events = WindowEventMap & Pick<DocumentEventMap, 'visibilitychange'>;
  const on = <K extends keyof Events>(
    handlers: { [T in K]: (e: Events[T]) => unknown },
    capture?: boolean,
  ) => {
    // Each handler receives the event its type names, which the listener type cannot express.
    for (const type in handlers) addEventListener(type, safe(handlers[type]) as EventListener, capture);
  };
  // On window: visibilitychange and the document's scroll bubble up to it, focus and blur of
  // elements inside the page do not.
  on({
    visibilitychange: visibility,
    focus: visibility,
    blur: () => count(0),
    scroll: scrolled,
    pagehide: hidden,
    online: flush,
  });
  visibility();
  flush();
  if (options.noAuto != null) return;
  on({
    // Fragment navigations fire popstate too, so it also covers hash routing.
    popstate: navigated,
    // A page restored from the back/forward cache is a new visit to it.
    pageshow: (e: PageTransitionEvent) => e.persisted && ((path = ''), visibility()),
  });
  // Clicks in the capture phase, so a page handler calling stopPropagation cannot hide them.
  on({ click, auxclick: click }, true);
  for (const method of ['pushState', 'replaceState'] as const) {
    const original = history[method];
    history[method] = function (this: History, ...args: Parameters<History['pushState']>) {
      original.apply(this, args);
      navigated();
    };
  }
  // navigator.share records a 'native' share with its outcome (1 completed, 0 cancelled); the page
  // gets the original promise. Last, as a page may have made navigator.share read-only.
  const share = nav.share;
  if (share)
    nav.share = (data) => {
      const result = share.call(nav, data);
      const record = (o: 0 | 1) => emit({ k: 's', n: 'native', l: data?.url, o });
      result.then(
        () => record(1),
        () => record(0),
      );
      return result;
    };
})();
