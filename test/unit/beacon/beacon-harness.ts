import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Window } from 'happy-dom';
import { expandShortForms } from '../../../collector/pipeline/short-forms.ts';
import type { WireBody, WireEvent } from '../../../shared/wire.ts';

/** The built beacons (made by the test setup): beacon.js, the file sites load, and its debug build. */
const BUILDS = {
  default: readFileSync(join(import.meta.dirname, '../../../dist/beacon.js'), 'utf8'),
  debug: readFileSync(join(import.meta.dirname, '../../../dist/beacon.debug.js'), 'utf8'),
};

export const COLLECTOR = 'https://collector.test';

export interface Sent {
  via: 'beacon' | 'fetch';
  url: string;
  /** its events as the collector reads them (short forms expanded, each `g` an age); bodies holds them as sent */
  events: WireEvent[];
}

export interface PageOptions {
  url?: string;
  /** data-* attributes of the tag, without the data- prefix */
  tag?: Record<string, string>;
  /** body HTML present before the beacon runs */
  html?: string;
  referrer?: string;
  hidden?: boolean;
  /** what navigator.sendBeacon answers (false: the browser refused, fetch takes over) */
  beaconAccepts?: boolean;
  /** how the fallback fetch ends: a status, or 'network' for a rejected promise */
  fetchResult?: number | 'network';
  online?: boolean;
  /** runs before the beacon, e.g. to set the queue stub or localStorage */
  before?: (window: Window) => void;
  /** the page's clock at start, ms */
  now?: number;
  /** how many copies of the tag the page includes (a CMS template and a tag manager both add it) */
  copies?: number;
  /** which build the tag loads: beacon.js (the default) or beacon.debug.js */
  build?: keyof typeof BUILDS;
}

/**
 * A happy-dom page that loads the built beacon the way a site does, with sendBeacon and fetch
 * recorded instead of sent, a movable clock, and switches for visibility, focus, scrolling and
 * connectivity.
 */
export class BeaconPage {
  readonly window: Window;
  readonly sent: Sent[] = [];
  /** each request's body as sent: the beacon leads it with its clock and writes some fields short */
  readonly bodies: WireBody[] = [];
  now: number;
  hidden: boolean;
  online: boolean;
  beaconAccepts: boolean;
  fetchResult: number | 'network';

  constructor(options: PageOptions = {}) {
    this.now = options.now ?? Date.parse('2026-11-27T10:00:00Z');
    this.hidden = options.hidden ?? false;
    this.online = options.online ?? true;
    this.beaconAccepts = options.beaconAccepts ?? true;
    this.fetchResult = options.fetchResult ?? 202;
    const window = new Window({
      url: options.url ?? 'https://example.com/',
      width: 1024,
      height: 800,
      console,
      settings: { enableJavaScriptEvaluation: true, suppressInsecureJavaScriptEnvironmentWarning: true },
    });
    this.window = window;
    const doc = window.document;
    const nav = window.navigator;
    window.Date.now = () => this.now;
    define(nav, 'webdriver', () => false);
    define(nav, 'onLine', () => this.online);
    define(doc, 'hidden', () => this.hidden);
    define(doc, 'visibilityState', () => (this.hidden ? 'hidden' : 'visible'));
    define(doc, 'referrer', () => options.referrer ?? '');
    define(doc.body, 'scrollHeight', () => 4000);
    nav.sendBeacon = (url: string | URL, body?: unknown) => {
      if (!this.beaconAccepts) return false;
      this.record('beacon', String(url), body);
      return true;
    };
    (window as unknown as { fetch: unknown }).fetch = async (
      url: string | URL,
      init?: { body?: unknown },
    ) => {
      this.record('fetch', String(url), init?.body);
      if (this.fetchResult === 'network') throw new TypeError('Failed to fetch');
      return new window.Response(null, { status: this.fetchResult });
    };
    if (options.html) doc.body.innerHTML = options.html;
    options.before?.(window);

    for (let copy = 0; copy < (options.copies ?? 1); copy++) {
      const script = doc.createElement('script');
      // Sites load the beacon with src=…/beacon.js; the inline copy only pretends, so happy-dom
      // runs it without fetching anything.
      const file = options.build === 'debug' ? 'beacon.debug.js' : 'beacon.js';
      define(script, 'src', () => `${COLLECTOR}/${file}`);
      for (const [name, value] of Object.entries(options.tag ?? { site: 'example.com' }))
        script.setAttribute(`data-${name}`, value);
      script.textContent = BUILDS[options.build ?? 'default'];
      doc.head.appendChild(script);
    }
  }

  private record(via: Sent['via'], url: string, body: unknown): void {
    const parsed = JSON.parse(String(body)) as WireBody;
    this.bodies.push(parsed);
    this.sent.push({ via, url, events: expandShortForms(parsed) as WireEvent[] });
  }

  /** Every event sent so far, in order. */
  get events(): WireEvent[] {
    return this.sent.flatMap((s) => s.events);
  }

  /** Lets queued microtasks and promise callbacks (batched sends, fetch results) run. */
  async settle(): Promise<void> {
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setTimeout(resolve, 0));
  }

  advance(ms: number): void {
    this.now += ms;
  }

  setHidden(hidden: boolean): void {
    this.hidden = hidden;
    this.window.document.dispatchEvent(new this.window.Event('visibilitychange', { bubbles: true }));
  }

  /** Dispatches an event at the window as the page's own scripts see it. */
  fire(type: string, init: Record<string, unknown> = {}): void {
    // happy-dom runs scripts against a proxy of the Window: events must target that object for
    // `e.target == window` to hold inside the page, as it does in a browser.
    const own = this.run('window') as Window;
    const event = new own.Event(type);
    Object.assign(event, init);
    own.dispatchEvent(event);
  }

  scrollTo(y: number): void {
    define(this.window, 'scrollY', () => y);
    this.fire('scroll');
  }

  click(selector: string, init: { button?: number; ctrlKey?: boolean } = {}): boolean {
    const el = this.window.document.querySelector(selector);
    if (!el) throw new Error(`no ${selector}`);
    const event = new this.window.MouseEvent(init.button === 1 ? 'auxclick' : 'click', {
      bubbles: true,
      cancelable: true,
      button: init.button ?? 0,
      ctrlKey: init.ctrlKey ?? false,
    });
    return el.dispatchEvent(event);
  }

  /** Runs code in the page, as the site's own scripts would. */
  run(code: string): unknown {
    return this.window.eval(code);
  }

  close(): Promise<void> {
    return this.window.happyDOM.close();
  }
}

function define(target: object, key: string, get: () => unknown): void {
  Object.defineProperty(target, key, { get, configurable: true });
}
