// The beacon: one file, because every byte counts against its gzip budget (see the README's size
// note) and module boundaries would need setters for the shared state below. Sections: setup and
// helpers, transport, engagement and page views, clicks, start (with the cfa() API).
//
// Size habits (each measured with `gzip -9n`): anything the collector can derive is left to it
// (UTM, referrer cleaning, share channels, click classification, prop names); one send path with
// the offline queue folded in; one safe() for every handler's try/catch; shared state in the
// block's variables. The whole script is one try block, not an IIFE: it must never hold a `var` or
// a function declaration, which would become page globals (test/e2e/beacon-real-pages.test.ts
// checks the globals).
import type { WireDraft, WireEvent } from '../shared/wire.ts';

/** The page's stub queues calls in `q`; the running beacon's own cfa() has `l` set. */
type Cfa = ((...args: unknown[]) => unknown) & { q?: unknown[][]; l?: 1 };
type Pending = WireEvent & { g: number };

declare global {
  // The page's stub, then our cfa() (the bare name reads and writes the global).
  var cfa: Cfa | undefined;
}
/**
 * true in beacon.debug.js, false in beacon.js (scripts/build.mjs `define`): the default build drops
 * the data-debug log and its reason words, which cost 53 B gzipped, by dead-code elimination.
 */
declare const __CFA_DEBUG__: boolean;

// One block, not an IIFE: its let/const stay inside it, and an error at start-up stops here.
try {
  const nav = navigator as Navigator & { globalPrivacyControl?: boolean };
  const L = location;

  const stub = window.cfa;
  // currentScript points at our tag only now, never in a later callback (read twice: a variable
  // for it costs more than the repeat).
  /** The tag's data-* options; a bare boolean attribute reads as ''. */
  const options = (document.currentScript as HTMLScriptElement).dataset;
  /** data-api (resolved by sendBeacon against the page), else /api/event beside beacon.js. */
  const api = options.api || new URL('/api/event', (document.currentScript as HTMLScriptElement).src);
  /** The site's own user id from cfa('identify', id): in memory only, never a cookie or storage. */
  let userId: unknown;
  /**
   * Everything unsent: this tick's events and those kept from a failed send or an earlier page.
   * Loaded at start, before anything can emit; a skipped page never touches it.
   */
  let queue: Pending[];
  // Engaged time is counted in stretches: `since` is when the visible-and-focused stretch began (0
  // while paused) and `ms` what was counted but not yet sent, so each send is only the increment.
  // All three start unset: until the first page view resets `ms` and `depth` they read NaN, and
  // nothing is sent before it; an unset `since` is paused, like 0.
  let ms: number;
  let since: number;
  let depth: number;
  /** The current page's path (with the fragment under data-hash); unset until its page view. */
  let path: string | undefined;
  // Only the landing page view carries the referrer: in a single-page app the previous in-app URL
  // is where the visitor already was, not where they came from.
  let referrer = document.referrer;

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
    queue.push({
      s: options.site,
      u: L.href,
      h: options.hash,
      i: userId,
      ...draft,
      g: Date.now(),
    } as Pending);
    queueMicrotask(flush);
  };

  /**
   * Sends the queue, 25 events a request (the collector's MAX_BATCH), each request led by the
   * clock, so the collector reads each event's age from its time `g` (cheaper than rewriting every
   * event). Offline it only persists the queue, for the `online` event or the next page load; events
   * older than a day are sent anyway and dropped by the collector. Synchronous, so pagehide can use it.
   * sendBeacon survives the page closing but cannot report failure; when the browser refuses it,
   * fetch keepalive takes over, and a batch it cannot deliver is kept.
   */
  const flush = safe(() => {
    // Keeps events for a later flush: the newest 50, persisted so that a reload keeps them too.
    const keep = (events: Pending[]) => store('cfa_q', (queue = queue.concat(events).slice(-50)));
    while (nav.onLine && queue[0]) {
      const batch = queue.splice(0, 25);
      const body = JSON.stringify([Date.now(), ...batch]);
      // esbuild minifies this `if` to `a||b()`, so it costs no byte.
      if (!nav.sendBeacon(api, body))
        fetch(api, {
          method: 'POST',
          body,
          // WebIDL reads 1 as true, which gzips 2 B smaller than !0.
          keepalive: 1 as unknown as boolean,
        }).catch(() => keep(batch));
    }
    // What is left (everything, offline) is persisted; online that clears the stored queue.
    keep([]);
  });

  // --- Engaged time, scroll depth and page views ---------------------------------------------

  /**
   * Closes the running stretch, and starts a new one when `run` is truthy; then records the
   * deepest point of the page seen so far, in percent of its height. A scroll calls it with
   * `since`, which keeps the clock as it is (running or paused).
   */
  const count = (run: unknown) => {
    const now = Date.now();
    ms += since && now - since;
    since = run ? now : 0;
    // |0 turns the Infinity of an empty body, and the NaN of no body yet (a tag in <head> without
    // defer runs before <body> exists), into 0. A body ending above the viewport gives more than
    // 100, which the collector caps.
    depth = Math.max(depth, ((100 * (scrollY + innerHeight)) / (document.body?.scrollHeight as number)) | 0);
  };

  /** Sends the current page's engaged time and depth if any time was added; `run` keeps counting. */
  const sendEngagement = (run?: unknown) => {
    count(run);
    // The page's path alone (the collector puts it on u's origin): UTM and the like belong to the
    // page view, and after a history change u is already the next page.
    if (path && ms) emit({ k: 'e', v: path, d: ms, x: depth });
    ms = 0;
  };

  /**
   * Sends a page view for the current URL, closing the previous page's engagement first. The path
   * (with the fragment under data-hash) is written out here and in navigated: gzip takes the copy
   * for less than a helper's name costs.
   */
  const pageview = () => {
    sendEngagement(since);
    path = L.pathname + ('hash' in options ? L.hash : '');
    depth = 0;
    emit({ k: 'p', r: referrer });
    referrer = '';
  };

  /** After a history change: a page view when the path (or the fragment, with data-hash) changed. */
  const navigated = safe((): void => {
    if (path && path != L.pathname + ('hash' in options ? L.hash : '')) pageview();
  });

  /**
   * Visibility or focus changed, or the beacon just started. The first page view waits until the
   * page is shown: a background tab nobody looked at is not a visit, and a prerendered page stays
   * hidden until it is activated. A hidden page (like pagehide) reports its engagement now, while
   * we still can.
   */
  const visibility = () =>
    document.hidden ? (sendEngagement(), flush()) : (count(1), path || 'noAuto' in options || pageview());

  // --- Clicks --------------------------------------------------------------------------------

  /**
   * A click on a tagged element (data-cfa-event), a share (data-share, a QR download) or a link
   * leaving the page (another host, a mailto:/app scheme, a file) goes to the collector as it is:
   * the element's data-* attributes, its link and whether it is a QR download. The collector turns
   * it into the action, share, download or outbound link it stands for. The click itself is never
   * touched: navigation, middle-click and target=_blank work as usual.
   *
   * Real pages shape this: the element and the link are looked up along the composed path, so
   * links and tags inside open shadow roots count; the nearest tag wins over a link inside it (a
   * "Reset password" wrapper stays that action, with the link as its target); an empty tag names
   * nothing, so without a link worth reporting nothing is sent (the collector would refuse it); a
   * javascript: link is no link. A right-click sends nothing; a click on nothing of the kind throws
   * at `.dataset` below, which safe() swallows. composedPath() is the same array through the
   * dispatch, so each lookup reads it afresh rather than keeping it in a variable.
   */
  const click = (e: MouseEvent) => {
    const find = (selector: string) =>
      (e.composedPath() as HTMLAnchorElement[]).find((el) => el.matches?.(selector));
    const a = find('a[href]:not([href^="javascript:" i])');
    const p = (find('[data-cfa-event],[data-share]') || a)!.dataset;
    // From the attribute: an SVG link's href property is an SVGAnimatedString, not a URL.
    const url = a && new URL(a.getAttribute('href')!, a.baseURI);
    // A QR download: a download link whose file name or image mentions it (:has is in every target browser).
    const q = find('[download*="qr" i],[download]:has([alt*="qr" i])');
    if (
      e.button < 2 &&
      (p.cfaEvent || p.share || (url && (q || url.host != L.host || /\.\w+$/.test(url.pathname))))
    )
      emit({ k: 'c', p: p as Record<string, string>, l: url?.href.slice(0, 2000), q: !!q });
  };

  // --- Start ---------------------------------------------------------------------------------

  // Decide whether to run, replace the queue stub with the real API, replay what the page queued
  // before we loaded, then start capturing. The reason words exist only in beacon.debug.js: in
  // beacon.js each `(__CFA_DEBUG__ && word) || 1` folds to 1 and esbuild joins the tests with ||.
  const reason =
    // The tag included twice (a CMS template and a tag manager both adding it): the first copy
    // runs, the second would count every page view and click again.
    stub?.l
      ? (__CFA_DEBUG__ && 'twice') || 1
      : nav.webdriver
        ? (__CFA_DEBUG__ && 'webdriver') || 1
        : options.ignoreDnt == null &&
            (nav.doNotTrack == (1 as unknown as string) || nav.globalPrivacyControl)
          ? (__CFA_DEBUG__ && 'dnt') || 1
          : store('cfa_ignore') === true
            ? (__CFA_DEBUG__ && 'cfa_ignore') || 1
            : // localhost, 127.x, [::1], and '' (file: pages have no host)
              options.allowLocalhost == null &&
              /^(localhost|127\.|\[::1]|$)/.test(L.hostname) &&
              ((__CFA_DEBUG__ && 'localhost') || 1);
  // A skipped page sends nothing, keeps nothing, and leaves the stub in place.
  if (reason) {
    if (__CFA_DEBUG__ && 'debug' in options) console.log('cfa: skipped, ' + reason);
  } else {
    // The cfa() API, written where it is installed (a name for it costs bytes). cfa(command, …):
    // 'track' a custom action, 'share' explicitly, 'identify' the user (null forgets them), or send
    // a manual 'pageview'. Unknown commands do nothing. A share's `link` and `recipient_count`
    // travel as props; the collector files them under link and recipients.
    (cfa = safe((name: unknown, arg?: unknown, props?: unknown) => {
      if (name == 'pageview') pageview();
      else if (name == 'identify') userId = arg;
      // Written out twice: gzip takes the copy for less than picking the kind costs.
      else if (name == 'track') emit({ k: 'a', n: arg, p: props } as WireDraft);
      else if (name == 'share') emit({ k: 's', n: arg, p: props } as WireDraft);
    }) as Cfa).l = 1;
    queue = store('cfa_q') || [];
    stub?.q?.map((args) => cfa!(...args));
    // Each handler takes its own event type.
    const on = (handlers: Record<string, (e: never) => unknown>, capture?: boolean) => {
      for (const type in handlers) addEventListener(type, safe(handlers[type]!) as EventListener, capture);
    };
    // On window: visibilitychange and the document's scroll bubble up to it, focus and blur of
    // elements inside the page do not.
    on({
      visibilitychange: visibility,
      focus: visibility,
      blur: () => count(0),
      scroll: () => count(since),
      pagehide: () => (sendEngagement(), flush()),
      online: flush,
    });
    visibility();
    flush();
    if (!('noAuto' in options)) {
      // Clicks in the capture phase, so a page handler calling stopPropagation cannot hide them (the
      // other two target the window itself, where the phase makes no difference).
      on(
        {
          click,
          auxclick: click,
          // Fragment navigations fire popstate too, so it also covers hash routing.
          popstate: navigated,
          // A page restored from the back/forward cache is a new visit to it.
          pageshow: (e: PageTransitionEvent) => e.persisted && ((path = ''), visibility()),
        },
        true,
      );
      // Each wrapper calls the original, then `after` with its result and arguments, and hands the
      // page what `after` returns: undefined for pushState (navigated returns nothing), the
      // original promise for navigator.share. `original` is a parameter only to save a `let`: no
      // caller passes it.
      type Method = (...args: unknown[]) => unknown;
      const wrap = (
        target: object,
        method: string,
        after: (result: never, data?: ShareData) => unknown,
        original = (target as Record<string, Method>)[method],
      ) =>
        original &&
        ((target as Record<string, Method>)[method] = (...args) =>
          after(original.apply(target, args) as never, ...(args as [ShareData])));
      wrap(history, 'pushState', navigated);
      wrap(history, 'replaceState', navigated);
      // navigator.share records a share with its outcome (1 completed, 0 cancelled), which the
      // collector files under the channel 'native'; the page gets the original promise. Last, as a
      // page may have made navigator.share read-only.
      wrap(nav, 'share', (result: Promise<void>, data) => {
        // Written out twice: gzip takes the copy for less than a shared helper costs.
        result.then(
          () => emit({ k: 's', l: data?.url, o: 1 }),
          () => emit({ k: 's', l: data?.url, o: 0 }),
        );
        return result;
      });
    }
  }
} catch {
  // A beacon that cannot start stays silent: the host page never sees its error.
}
