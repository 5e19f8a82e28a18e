import { emptyRecord, type PropValue, type RecordKind, type StoredRecord } from '../../../storage/schema.ts';

/** "Now" of the golden dataset: Friday 2026-11-27 12:00 UTC. */
export const NOW = Date.parse('2026-11-27T12:00:00Z');
export const SITE = 'cf.test';
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

interface Spec {
  at: number;
  kind: RecordKind;
  visitor: string;
  path?: string;
  user?: string;
  session?: string;
  name?: string;
  source?: string;
  channel?: string;
  referrer?: string;
  country?: string;
  browser?: string;
  device?: string;
  engaged_ms?: number;
  scroll?: number;
  recipients?: number;
  props?: Record<string, PropValue>;
}

function record(s: Spec): StoredRecord {
  const r = emptyRecord(s.kind, NOW + s.at, SITE);
  Object.assign(r, { path: '/', country: '', browser: '', device: '' }, s);
  delete (r as Partial<Spec>).at;
  return r;
}

const A = { visitor: 'va', country: 'DE', browser: 'Chrome', device: 'desktop' } as const;
const B = { visitor: 'vb', country: 'FR', browser: 'Firefox', device: 'mobile' } as const;
const C = { visitor: 'vc', country: 'DE', browser: 'Chrome', device: 'desktop' } as const;

/**
 * A small hand-built history whose right answers are worked out by hand in the tests:
 *  - A1 (visitor va, T−3h … T−3h+6min): / from Google, /upload, photo_processed, link_created,
 *    a WhatsApp share to 3, engaged 30 s on / (scroll 50) and 60 s on /upload (scroll 80);
 *    identified as alice from the first action on. 360 s, 2 page views: not a bounce.
 *  - A2 (va, T−1h, 2 h after A1 so a new session): one direct page view of /gallery as alice.
 *  - B1 (vb, T−2h): / through a WhatsApp link, engaged 10 s (scroll 100): a bounce of 10 s.
 *  - S (server-side, session srv1, T−30min): photo_processed for alice, 5 photos.
 *  - carol (vc): / at T−10d, then / and two searches (0 and 25 matches) at T−3d.
 */
export function goldenRecords(): StoredRecord[] {
  return [
    record({ ...C, at: -10 * DAY, kind: 'pageview', user: 'carol' }),
    record({ ...C, at: -3 * DAY, kind: 'pageview', user: 'carol' }),
    record({
      ...C,
      at: -3 * DAY + MIN,
      kind: 'action',
      user: 'carol',
      name: 'search_performed',
      props: { matches_found: 0 },
    }),
    record({
      ...C,
      at: -3 * DAY + 2 * MIN,
      kind: 'action',
      user: 'carol',
      name: 'search_performed',
      props: { matches_found: 25 },
    }),
    record({
      ...A,
      at: -3 * HOUR,
      kind: 'pageview',
      source: 'Google',
      channel: 'search',
      referrer: 'https://www.google.com/',
    }),
    record({ ...A, at: -3 * HOUR + MIN, kind: 'engagement', engaged_ms: 30_000, scroll: 50 }),
    record({ ...A, at: -3 * HOUR + 2 * MIN, kind: 'pageview', path: '/upload' }),
    record({
      ...A,
      at: -3 * HOUR + 3 * MIN,
      kind: 'action',
      path: '/upload',
      user: 'alice',
      name: 'photo_processed',
      props: { processed_count: 10, total_files: 12, album: 'x' },
    }),
    record({
      ...A,
      at: -3 * HOUR + 4 * MIN,
      kind: 'action',
      path: '/upload',
      user: 'alice',
      name: 'link_created',
    }),
    record({
      ...A,
      at: -3 * HOUR + 5 * MIN,
      kind: 'share',
      path: '/upload',
      user: 'alice',
      name: 'whatsapp',
      recipients: 3,
    }),
    record({
      ...A,
      at: -3 * HOUR + 6 * MIN,
      kind: 'engagement',
      path: '/upload',
      engaged_ms: 60_000,
      scroll: 80,
    }),
    record({ ...B, at: -2 * HOUR, kind: 'pageview', source: 'whatsapp', channel: 'social' }),
    record({ ...B, at: -2 * HOUR + 10_000, kind: 'engagement', engaged_ms: 10_000, scroll: 100 }),
    record({ ...A, at: -HOUR, kind: 'pageview', path: '/gallery', user: 'alice' }),
    record({
      at: -30 * MIN,
      kind: 'action',
      visitor: 'u:alice',
      session: 'srv1',
      user: 'alice',
      name: 'photo_processed',
      props: { processed_count: 5 },
    }),
  ];
}
