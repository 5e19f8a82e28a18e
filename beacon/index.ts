import { command } from './api.ts';
import { clickEvent } from './clicks.ts';
import { count, scrolled } from './engagement.ts';
import { wrapNativeShare } from './native-share.ts';
import { hidden, navigated, restored, visibility } from './pageviews.ts';
import { skipReason } from './skip.ts';
import { options, readTag, safe } from './tag.ts';
import { emit, flush, loadQueue } from './transport.ts';

type Cfa = ((...args: Parameters<typeof command>) => void) & { q?: ArrayLike<unknown>[] };
const w = window as Window & { cfa?: Cfa };

const click = (e: MouseEvent, draft?: unknown) =>
  e.button < 2 && (draft = clickEvent(e.target)) && emit(draft as never);

// One listener per event type, on window: visibilitychange and the document's scroll bubble up
// to it, while focus and blur of elements do not.
const always: Record<string, (e: any) => unknown> = {
  visibilitychange: visibility,
  focus: visibility,
  blur: () => count(0),
  scroll: scrolled,
  pagehide: hidden,
  online: flush,
};
const automatic: Record<string, (e: any) => unknown> = {
  // Fragment navigations fire popstate too, so it also covers hash routing.
  popstate: navigated,
  pageshow: (e: PageTransitionEvent) => e.persisted && restored(),
  click,
  auxclick: click,
};

// The entry point: decide whether to run, replace the queue stub with the real API, replay what
// the page queued before we loaded, then start capturing.
safe(() => {
  const queued = w.cfa?.q || [];
  readTag();
  const reason = skipReason();
  // A skipped page leaves the stub in place: the site's calls queue up and go nowhere.
  if (reason) return options.debug != null && console.log('cfa: skipped, ' + reason);
  w.cfa = safe(command);
  loadQueue();
  for (const args of queued) w.cfa.apply(0, args as Parameters<typeof command>);
  const handlers = options.noAuto == null ? { ...always, ...automatic } : always;
  if (handlers != always) {
    for (const method of ['pushState', 'replaceState'] as const) {
      const original = history[method];
      history[method] = function (this: History, ...args: Parameters<History['pushState']>) {
        original.apply(this, args);
        navigated();
      };
    }
    wrapNativeShare();
  }
  // Clicks in the capture phase, so a page handler calling stopPropagation cannot hide them.
  for (const type in handlers) addEventListener(type, safe(handlers[type]!), type.endsWith('click'));
  visibility();
  flush();
})();
