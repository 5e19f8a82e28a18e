import { FILE_LINK } from '../../shared/wire.ts';

/**
 * Share intents: links that open a share sheet or a prefilled message. The beacon reports clicks
 * on any link leaving the page ('l' events) and this table decides which of them are shares, so
 * adding a channel never needs a new beacon.
 */
const SHARE_INTENTS: readonly (readonly [channel: string, pattern: RegExp])[] = [
  ['whatsapp', /^whatsapp:|^https?:\/\/(wa\.me|(api|web)\.whatsapp\.com)\//i],
  ['email', /^mailto:/i],
  ['sms', /^sms:/i],
  ['telegram', /^tg:|^https?:\/\/t(elegram)?\.me\/share/i],
  ['x', /^https?:\/\/(www\.|mobile\.)?(twitter|x)\.com\/(intent|share)/i],
  ['facebook', /^https?:\/\/(www\.|m\.)?facebook\.com\/shar/i],
  ['linkedin', /^https?:\/\/(www\.)?linkedin\.com\/(shar|cws\/share)/i],
  ['reddit', /^https?:\/\/(www\.|old\.)?reddit\.com\/submit/i],
];

/** The share channel a link opens, or '' when it is not a share intent. */
export function shareChannel(href: string): string {
  return SHARE_INTENTS.find(([, pattern]) => pattern.test(href))?.[0] ?? '';
}

export type LinkClick =
  | { kind: 'share'; channel: string; link: string }
  | { kind: 'action'; name: 'file_download' | 'outbound_link'; link: string };

/**
 * What a click on `href` (an 'l' event) was: a share, a file download or an outbound link.
 * Returns null for links that are none of these (javascript:, a same-site page).
 */
export function classifyLinkClick(href: string, pageUrl: string): LinkClick | null {
  const channel = shareChannel(href);
  if (channel) return { kind: 'share', channel, link: sharedLink(href, pageUrl) };
  let url: URL;
  try {
    url = new URL(href, pageUrl);
  } catch {
    return null;
  }
  const web = url.protocol === 'http:' || url.protocol === 'https:';
  const link = storedLink(url);
  if (web && FILE_LINK.test(url.pathname)) return { kind: 'action', name: 'file_download', link };
  if (url.protocol === 'data:' || url.protocol === 'blob:')
    return { kind: 'action', name: 'file_download', link };
  if (url.protocol === 'javascript:' || (web && url.host === new URL(pageUrl).host)) return null;
  // tel:, app schemes and other sites: the visitor left the page.
  return { kind: 'action', name: 'outbound_link', link };
}

/**
 * What is kept of a clicked link: origin and path of a web link (query strings of links often
 * carry tokens or emails; the destination is enough), only the scheme of any other (a tel: link
 * is a phone number), nothing of a javascript: one.
 */
function storedLink(url: URL): string {
  if (url.protocol === 'http:' || url.protocol === 'https:') return url.origin + url.pathname;
  return url.protocol === 'javascript:' ? '' : url.protocol;
}

/**
 * The link of a tagged element's click (data-cfa-event on or around a link): the action's
 * target, kept like an outbound link's; '' when there is none or it does not parse.
 */
export function actionLink(href: string | undefined, pageUrl: string): string {
  if (!href) return '';
  try {
    return storedLink(new URL(href, pageUrl));
  } catch {
    return '';
  }
}

const EMBEDDED_URL = /https?:\/\/[^\s"'<>]+/i;

/**
 * The link a share spread. For a share intent (wa.me/?text=…, mailto:?body=…, facebook sharer?u=…)
 * that is the first web URL inside its parameters; for a plain web link, the link itself; and
 * when there is none (a QR download, navigator.share without a url, a mailto: without a URL) the
 * page that was shared from. Recipients of mailto: and sms: links are never kept.
 */
export function sharedLink(raw: string | undefined, pageUrl: string): string {
  const page = new URL(pageUrl);
  const fallback = page.origin + page.pathname;
  if (!raw) return fallback;
  let url: URL;
  try {
    url = new URL(raw, pageUrl);
  } catch {
    return fallback;
  }
  const web = url.protocol === 'http:' || url.protocol === 'https:';
  if (web && !shareChannel(url.href)) return url.origin + url.pathname + url.search;
  for (const value of url.searchParams.values()) {
    const found = EMBEDDED_URL.exec(value)?.[0];
    if (found) return found.replace(/[.,;:!?)]+$/, '');
  }
  return fallback;
}
