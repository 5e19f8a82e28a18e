import type { WireEvent, WireScalar } from '../../shared/wire.ts';
import type { Random } from './random.ts';
import { Weighted } from './random.ts';
import type { SharedLinks } from './shared-links.ts';
import {
  APP_PAGES,
  CAMPAIGNS,
  LANDING_PAGES,
  PUBLIC_PAGES,
  REFERRERS,
  SHARE_CHANNELS,
  SHARE_REFERRER,
} from './tables.ts';

/** One event of a session at its absolute time, as the beacon would send it. */
export interface TimedEvent {
  ts: number;
  event: WireEvent;
}

export interface SessionContext {
  random: Random;
  site: string;
  start: number;
  /** the signed-in user, for sessions of identified users */
  user?: string;
  links: SharedLinks;
}

const landingPages = Weighted.zipf(LANDING_PAGES, 1.1);
const browsePages = Weighted.zipf(PUBLIC_PAGES, 0.9);
const referrers = Weighted.zipf(REFERRERS, 1.2);
const campaigns = new Weighted(
  CAMPAIGNS,
  CAMPAIGNS.map((c) => c.weight),
);
const shareChannels = new Weighted(
  SHARE_CHANNELS,
  SHARE_CHANNELS.map((c) => c[1]),
);
const THRESHOLDS = new Weighted([0.5, 0.45, 0.55, 0.6, 0.4], [50, 15, 15, 12, 8]);

/**
 * Builds sessions event by event with a cursor that moves through time like a visitor would:
 * a page view, time on the page, an engagement record when the page is left, the next page.
 */
class SessionBuilder {
  readonly events: TimedEvent[] = [];
  private now: number;
  private previousUrl = '';

  constructor(private readonly ctx: SessionContext) {
    this.now = ctx.start;
  }

  private push(event: WireEvent): void {
    if (this.ctx.user) event.i = this.ctx.user;
    this.events.push({ ts: Math.round(this.now), event });
  }

  /** A page view, then the time spent on it closed by an engagement record. */
  page(path: string, options: { query?: string; referrer?: string; reading?: boolean } = {}): void {
    const { site } = this.ctx;
    const url = `https://${site}${path}${options.query ?? ''}`;
    const pageview: WireEvent = { k: 'p', s: site, u: url };
    const referrer = options.referrer ?? this.previousUrl;
    if (referrer) pageview.r = referrer;
    this.push(pageview);
    this.previousUrl = `https://${site}${path}`;
    this.dwell(url, options.reading ?? path.startsWith('/blog/'));
  }

  private dwell(url: string, reading: boolean): void {
    const { random, site } = this.ctx;
    const ms = Math.min(15 * 60_000, Math.max(800, random.logNormal(reading ? 70_000 : 18_000, 1)));
    // Engagement records go out on pagehide; about one in ten is lost (tab killed, offline).
    this.now += ms;
    if (random.chance(0.9)) {
      const scroll = reading ? random.between(30, 100) : random.chance(0.3) ? 0 : random.between(10, 100);
      this.push({ k: 'e', s: site, u: url, d: Math.round(ms * (0.55 + 0.45 * random.next())), x: scroll });
    }
    this.now += 300 + random.int(2500);
  }

  /** A custom action on the current page, a moment into it. */
  action(name: string, props: Record<string, WireScalar> = {}): void {
    this.now += 2000 + this.ctx.random.int(20_000);
    const event: WireEvent = { k: 'a', s: this.ctx.site, u: this.previousUrl, n: name };
    if (Object.keys(props).length > 0) event.p = props;
    this.push(event);
  }

  share(channel: string, link: string, recipients: number): void {
    const { random } = this.ctx;
    this.now += 1500 + random.int(8000);
    const event: WireEvent = { k: 's', s: this.ctx.site, u: this.previousUrl, n: channel, l: link };
    if (recipients > 0) event.c = recipients;
    if (channel === 'native') event.o = random.chance(0.8) ? 1 : 0;
    this.push(event);
  }

  get time(): number {
    return this.now;
  }
}

/** An anonymous visit to the public site: landing from a source, then a few pages. */
export function anonymousSession(ctx: SessionContext): TimedEvent[] {
  const { random, links } = ctx;
  const b = new SessionBuilder(ctx);
  const entry = random.next();
  const shared = entry < 0.06 ? links.pickBefore(ctx.start, random) : null;
  if (shared) {
    b.page(`/s/${shared.code}`, {
      query: `?ref=${shared.channel}`,
      referrer: SHARE_REFERRER[shared.channel] ?? '',
    });
    // Someone opening a shared gallery often looks at what CloudFace is.
    if (random.chance(0.35)) b.page('/');
    if (random.chance(0.15)) b.page('/signup');
    return b.events;
  }
  if (entry < 0.14) {
    const c = campaigns.pick(random);
    const params = new URLSearchParams({
      utm_source: c.utm_source,
      utm_medium: c.utm_medium,
      utm_campaign: c.utm_campaign,
    });
    if (c.utm_content) params.set('utm_content', c.utm_content);
    if (c.utm_term) params.set('utm_term', c.utm_term);
    b.page(c.landing, { query: `?${params}`, referrer: c.referrer });
  } else {
    const referrer = random.chance(0.42) ? '' : referrers.pick(random);
    b.page(landingPages.pick(random), { referrer });
  }
  // Bounces (one page) are about 45% of visits; the rest browse a geometric number of pages.
  const more = random.chance(0.45) ? 0 : 1 + random.geometric(0.6, 12);
  for (let i = 0; i < more; i += 1) {
    const funnel = random.next();
    const path = funnel < 0.2 ? '/pricing' : funnel < 0.28 ? '/signup' : browsePages.pick(random);
    b.page(path);
  }
  return b.events;
}

/**
 * A signed-in CloudFace user at work: upload and process photos, search by selfie, download,
 * create a link and share it. Shares feed `links`, so later anonymous sessions arrive through them.
 */
export function userSession(ctx: SessionContext): TimedEvent[] {
  const { random, links, site } = ctx;
  const b = new SessionBuilder(ctx);
  b.page(random.chance(0.7) ? APP_PAGES.dashboard : '/login', { referrer: '' });
  if (random.chance(0.55)) {
    b.page(APP_PAGES.upload);
    const total = Math.max(1, Math.min(5000, Math.round(random.logNormal(120, 1.1))));
    const failed = random.chance(0.8) ? 0 : random.int(Math.ceil(total * 0.1) + 1);
    b.action('photo_processed', { processed_count: total - failed, total_files: total });
  }
  const searches = random.chance(0.75) ? 1 + random.geometric(0.35, 5) : 0;
  for (let i = 0; i < searches; i += 1) {
    b.page(APP_PAGES.search);
    const threshold = THRESHOLDS.pick(random);
    const matches = random.chance(0.1) ? 0 : Math.round(random.logNormal(18, 0.9));
    b.action('search_performed', { matches_found: matches, threshold_used: threshold });
    if (matches === 0) continue;
    b.page(APP_PAGES.results);
    if (random.chance(0.5)) b.action('photo_downloaded', { count: 1 + random.int(Math.min(matches, 40)) });
    if (random.chance(0.35)) {
      const code = random.code(6);
      const link = `https://${site}/s/${code}`;
      b.action('link_created', { link, photos: matches });
      const shares = random.chance(0.65) ? 1 + random.geometric(0.3, 3) : 0;
      for (let s = 0; s < shares; s += 1) {
        const [channel, , min, max] = shareChannels.pick(random);
        b.share(channel, link, min + random.int(max - min + 1));
        links.add({ code, channel, at: b.time });
      }
    }
  }
  if (random.chance(0.1)) b.page(APP_PAGES.links);
  if (random.chance(0.05)) b.page(random.chance(0.6) ? APP_PAGES.settings : APP_PAGES.billing);
  return b.events;
}
