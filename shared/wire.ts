/**
 * The beacon's wire format, typed once and imported by both the beacon and the collector.
 *
 * Keys are one letter because every byte of the beacon counts against its 1,280-byte gzip budget
 * and each key is repeated in the minified source. The collector maps them to readable names
 * (storage/schema.ts) before anything is written.
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
} as const;
export type WireKind = (typeof WIRE_KIND)[keyof typeof WIRE_KIND];

/** A prop value: scalars only, so nothing nested ever reaches storage. */
export type WireScalar = string | number | boolean;

export interface WireEvent {
  /** kind: 'p' page view, 'e' engagement (time on page), 'a' custom action, 's' share */
  k: WireKind;
  /** site domain, from the tag's data-site (defaults to location.hostname) */
  s: string;
  /** full page URL (location.href); the collector keeps the path, UTM and ref parameters only */
  u: string;
  /** referrer (document.referrer), page views only; the collector keeps origin + path */
  r?: string;
  /** name: the action name for 'a', the share channel for 's' (whatsapp, email, qr, native…) */
  n?: string;
  /** props: custom scalar properties of an action or share */
  p?: Record<string, WireScalar>;
  /** engaged milliseconds since the last engagement send, for 'e' */
  d?: number;
  /** maximum scroll depth in percent (0–100), for 'e' */
  x?: number;
  /** the site's own user id, set by cfa('identify', id) */
  i?: string;
  /** the shared link, for 's' */
  l?: string;
  /** how many recipients a share reached, for 's' */
  c?: number;
  /** share outcome for native shares: 1 completed, 0 cancelled */
  o?: 0 | 1;
  /** age in ms of a queued event when it was finally sent; only orders events, never sets the time */
  g?: number;
  /** 1 when the site uses hash routing, so the fragment is part of the page path */
  h?: 1;
}

/** Caps shared by the beacon and the collector's validator. */
export const WIRE_LIMITS = {
  maxBatch: 25,
  maxBodyBytes: 16 * 1024,
  maxUrl: 2000,
  maxName: 120,
  maxProps: 30,
  maxPropKey: 300,
  maxPropValue: 2000,
  maxUserId: 200,
  maxSite: 253,
  maxAgeMs: 24 * 60 * 60 * 1000,
} as const;
