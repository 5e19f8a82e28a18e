/** The parts of a page URL we keep; everything else in the query string is dropped. */
export interface PageUrl {
  host: string;
  path: string;
  utm_source: string;
  utm_medium: string;
  utm_campaign: string;
  utm_term: string;
  utm_content: string;
  /** `ref` or `source` parameter, as shared links and directories set it */
  ref: string;
}

const UTM_KEYS = ['utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content'] as const;
const PARAM_MAX = 200;

/**
 * Reduces a page URL to what analytics needs: the path (plus the fragment when the site routes by
 * hash), UTM and ref parameters. Other parameters and fragments often carry tokens, emails or
 * session ids, so they never reach storage. Returns null for a URL that does not parse.
 */
export function parsePageUrl(href: string, hashRouting: boolean): PageUrl | null {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return null;
  }
  const param = (key: string) => (url.searchParams.get(key) ?? '').trim().slice(0, PARAM_MAX);
  const hash = hashRouting && url.hash.length > 1 ? url.hash : '';
  const page: PageUrl = {
    host: url.hostname,
    path: (url.pathname || '/') + hash,
    utm_source: '',
    utm_medium: '',
    utm_campaign: '',
    utm_term: '',
    utm_content: '',
    ref: param('ref') || param('source'),
  };
  for (const key of UTM_KEYS) page[key] = param(key);
  return page;
}

/**
 * Keeps the origin and path of a referrer; its query string can carry search terms or tokens.
 * Returns '' for anything that is not an http(s) URL or app referrer.
 */
export function sanitizeReferrer(raw: string | undefined): string {
  if (!raw) return '';
  try {
    const url = new URL(raw);
    if (url.protocol === 'android-app:') return `android-app://${url.host}`;
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return '';
    return url.origin + url.pathname;
  } catch {
    return '';
  }
}
