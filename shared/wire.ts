/**
 * The beacon's wire format, typed once and imported by both the beacon and the collector.
 *
 * Keys are one letter because every byte of the beacon counts against its 1,280-byte gzip budget
 * and each key is repeated in the minified source. The collector maps them to readable names
 * (storage/schema.ts) before anything is written, and derives everything it can (UTM, referrer
 * cleaning, share channels, what a click was), so the beacon carries raw values only.
 *
 * A request body is one WireEvent or an array of at most MAX_BATCH of them, sent as text/plain so
 * browsers skip the CORS preflight.
 */

/** Event kinds on the wire. */
export const WIRE_KIND = {
  pageview: 'p',
  engagement: 'e',
  action: 'a',
  share: 's',
  link: 'l',
  click: 'c',
} as const;
export type WireKind = (typeof WIRE_KIND)[keyof typeof WIRE_KIND];

/** A prop value: scalars only, so nothing nested ever reaches storage. */
export type WireScalar = string | number | boolean;

export interface WireEvent {
  /**
   * kind: 'p' page view, 'e' engagement (time on page), 'a' custom action, 's' share, 'c' a click
   * (on a data-cfa-event or data-share element, a QR download, or a link leaving the page) with the
   * element's raw data attributes in `p`, its link in `l` and `q`; the collector expands it
   * (collector/pipeline/click.ts) into the action, share or 'l' it stands for. 'l' is a click on
   * a link that leaves the page (another host, a mailto:/sms:/app scheme, a file); the collector
   * turns it into a share (share intents such as wa.me), a file_download or an outbound_link
   * action, so the beacon carries no table of share sites. Beacons before 'c' sent 'l' themselves.
   */
  k: WireKind;
  /** site domain, from the tag's data-site; absent, the collector takes the host of `u` */
  s?: string;
  /** full page URL (location.href); the collector keeps the path, UTM and ref parameters only */
  u: string;
  /** referrer (document.referrer), page views only; the collector keeps origin + path */
  r?: string;
  /**
   * name: the action name for 'a', the share channel for 's' (whatsapp, email, qr, native…); a
   * share with an outcome `o` and no name is a navigator.share call, channel 'native'
   */
  n?: string;
  /**
   * props: custom scalar properties of an action or share; for 'c', the clicked element's dataset
   * (data-cfa-event, data-cfa-prop-* as cfaPropKey, data-share, data-share-link, and whatever else
   * the page put there, which the collector drops unread)
   */
  p?: Record<string, WireScalar>;
  /**
   * the engaged page's path (with the fragment under data-hash), for 'e' from beacons since
   * 2026-12-06: the page is u's origin + v, as u may already be the next page of a single-page app
   */
  v?: string;
  /** engaged milliseconds since the last engagement send, for 'e' */
  d?: number;
  /** maximum scroll depth in percent, for 'e'; the collector caps it at 100 (a page shorter than the window reads as more) */
  x?: number;
  /** the site's own user id, set by cfa('identify', id); null (after identify(null)) means none */
  i?: string | null;
  /** the shared link for 's' (the collector takes the URL out of an intent link); the clicked href for 'l' and 'c' */
  l?: string;
  /** for 'c': the clicked element is an a[download] whose file name or image alt mentions "qr" */
  q?: boolean;
  /** how many recipients a share reached, for 's' */
  c?: number;
  /** share outcome for native shares: 1 completed, 0 cancelled */
  o?: 0 | 1;
  /**
   * age in ms of a queued event when it was finally sent; only orders events, never sets the time.
   * In a body led by the beacon's clock, the event's own Date.now(): the age is clock − g.
   */
  g?: number;
  /**
   * present when the site uses hash routing (the tag's data-hash), so the fragment is part of the
   * page path: the attribute's value, usually '' (beacons before 2026-11-27 sent 1)
   */
  h?: string | 1;
}

/** What the beacon's capture code hands to its send path, which adds site, URL, user and time. */
export type WireDraft = Omit<WireEvent, 's' | 'u' | 'g' | 'h' | 'i'>;

/** A request body: one event, a batch, or (beacons since 2026-12-06) a batch led by the clock. */
export type WireBody = WireEvent | WireEvent[] | [clock: number, ...events: WireEvent[]];

/** Most events in one request; the beacon splits bigger flushes. */
export const MAX_BATCH = 25;
/**
 * Queued events older than this (24 h) are dropped, by the beacon and again by the collector.
 * Written as literals, here and below, so esbuild inlines them and drops WIRE_LIMITS from the beacon.
 */
export const MAX_AGE_MS = 86_400_000;

/**
 * Links to these count as file downloads. The beacon reports every same-site link with an
 * extension (a cheaper test than this list) and the collector keeps those that match it.
 */
export const FILE_LINK = /\.(pdf|docx?|xlsx?|pptx?|csv|txt|zip|rar|7z|gz|dmg|exe|msi|apk|mp[34])$/i;

/** Caps shared by the beacon and the collector's validator. */
export const WIRE_LIMITS = {
  maxBatch: MAX_BATCH,
  maxBodyBytes: 16_384,
  maxUrl: 2000,
  maxName: 120,
  maxProps: 30,
  maxPropKey: 300,
  maxPropValue: 2000,
  maxUserId: 200,
  maxSite: 253,
  maxAgeMs: MAX_AGE_MS,
} as const;
