import { emptyRecord, type PropValue, type StoredRecord } from '../../../storage/schema.ts';

/** "Now" of the analysis data: Friday 2026-11-27 12:00 UTC. */
export const NOW = Date.parse('2026-11-27T12:00:00Z');
export const A = 'a.test';
export const B = 'b.test';
const MIN = 60_000;
const DAY = 86_400_000;

function rec(
  site: string,
  visitor: string,
  country: string,
  at: number,
  kind: StoredRecord['kind'],
  extra: { path?: string; name?: string; props?: Record<string, PropValue> } = {},
): StoredRecord {
  const r = emptyRecord(kind, at, site);
  Object.assign(r, { visitor, country, path: '/', browser: 'Chrome', device: 'desktop' }, extra);
  return r;
}

/**
 * A small history whose answers the tests work out by hand (site a.test unless said):
 *  - this week: a1 (DE, 1 day ago) views / and /upload, processes 2 photos (free), creates a link
 *    and shares on WhatsApp; a2 (DE, 2 days ago) views / and processes 3 (pro); a3 (FR, 3 days
 *    ago) views /, processes 10 (pro) and creates a link; a4 (FR, 4 days ago) views /; a5 (US,
 *    2 days ago) views /pricing;
 *  - the week before: p1 (DE, 9 days ago) views / and processes 1 (free); p2 (FR, 10 days ago) and
 *    p3 (DE, 13 days ago) view /;
 *  - a year earlier: y1 and y2 (DE) view / on 2025-11-26, y3 (DE) on 2025-11-24;
 *  - b.test: b1 (DE, 1 day ago) views / and processes 7.
 */
export function analysisRecords(): StoredRecord[] {
  const t = (days: number, minutes = 0) => NOW - days * DAY + minutes * MIN;
  const processed = (count: number, plan?: string): { name: string; props: Record<string, PropValue> } => ({
    name: 'photo_processed',
    props: plan ? { processed_count: count, plan } : { processed_count: count },
  });
  return [
    rec(A, 'y3', 'DE', Date.parse('2025-11-24T10:00:00Z'), 'pageview'),
    rec(A, 'y1', 'DE', Date.parse('2025-11-26T10:00:00Z'), 'pageview'),
    rec(A, 'y2', 'DE', Date.parse('2025-11-26T11:00:00Z'), 'pageview'),
    rec(A, 'p3', 'DE', t(13), 'pageview'),
    rec(A, 'p2', 'FR', t(10), 'pageview'),
    rec(A, 'p1', 'DE', t(9), 'pageview'),
    rec(A, 'p1', 'DE', t(9, 1), 'action', processed(1, 'free')),
    rec(A, 'a4', 'FR', t(4), 'pageview'),
    rec(A, 'a3', 'FR', t(3), 'pageview'),
    rec(A, 'a3', 'FR', t(3, 1), 'action', processed(10, 'pro')),
    rec(A, 'a3', 'FR', t(3, 2), 'action', { name: 'link_created' }),
    rec(A, 'a2', 'DE', t(2), 'pageview'),
    rec(A, 'a5', 'US', t(2, 5), 'pageview', { path: '/pricing' }),
    rec(A, 'a2', 'DE', t(2, 1), 'action', processed(3, 'pro')),
    rec(A, 'a1', 'DE', t(1), 'pageview'),
    rec(A, 'a1', 'DE', t(1, 1), 'pageview', { path: '/upload' }),
    rec(A, 'a1', 'DE', t(1, 2), 'action', processed(2, 'free')),
    rec(A, 'a1', 'DE', t(1, 3), 'action', { name: 'link_created' }),
    rec(A, 'a1', 'DE', t(1, 4), 'share', { name: 'whatsapp' }),
    rec(B, 'b1', 'DE', t(1), 'pageview'),
    rec(B, 'b1', 'DE', t(1, 1), 'action', processed(7)),
  ].sort((x, y) => x.ts - y.ts);
}
