/**
 * Whether a browser's `Origin` may send events when ANALYTICS_SITES is set: the page's host must
 * be a listed site or one of its subdomains (www.example.com for example.com). A request without
 * Origin is a server or a tool, which could forge the header anyway, so the site check on the
 * body still applies to it; `Origin: null` (sandboxed frames, file://) is refused.
 */
export function originAllowed(origin: string | undefined, sites: readonly string[]): boolean {
  if (sites.length === 0 || origin === undefined) return true;
  let host: string;
  try {
    const url = new URL(origin);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
    host = url.host.toLowerCase();
  } catch {
    return false;
  }
  const hostname = host.replace(/:\d+$/, '');
  return sites.some((site) => {
    const candidate = site.includes(':') ? host : hostname;
    return candidate === site || candidate.endsWith(`.${site}`);
  });
}
