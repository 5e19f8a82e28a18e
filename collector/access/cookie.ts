import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { SESSION_DAYS } from './access-store.ts';

export const SESSION_COOKIE = 'cfa_session';

/** How the collector tells a request's scheme and host when a proxy stands in front. */
export interface RequestSide {
  /** ANALYTICS_TRUST_PROXY is set: X-Forwarded-Proto and X-Forwarded-Host are the proxy's word */
  trustProxy: boolean;
}

/** The request reached the proxy (or us) over HTTPS, so the cookie can be marked Secure. */
export function overHttps(c: Context, side: RequestSide): boolean {
  if (new URL(c.req.url).protocol === 'https:') return true;
  if (!side.trustProxy) return false;
  // The proxy nearest to us appends last.
  const proto = (c.req.header('x-forwarded-proto') ?? '').split(',').pop()?.trim().toLowerCase();
  return proto === 'https';
}

/**
 * HttpOnly (no script reads it, so an XSS cannot carry it away), SameSite=Strict (no other site's
 * page sends it), Secure over HTTPS, for 30 days; sent again whenever the session slides.
 */
export function sendSessionCookie(
  c: Context,
  value: string,
  expires: number,
  now: number,
  side: RequestSide,
): void {
  setCookie(c, SESSION_COOKIE, value, {
    httpOnly: true,
    sameSite: 'Strict',
    secure: overHttps(c, side),
    path: '/',
    maxAge: Math.max(0, Math.min(Math.round((expires - now) / 1000), SESSION_DAYS * 86_400)),
  });
}

export function clearSessionCookie(c: Context, side: RequestSide): void {
  deleteCookie(c, SESSION_COOKIE, {
    path: '/',
    httpOnly: true,
    sameSite: 'Strict',
    secure: overHttps(c, side),
  });
}

export function sessionCookie(c: Context): string | null {
  return getCookie(c, SESSION_COOKIE) ?? null;
}

/**
 * Whether a browser request comes from our own pages: no `Origin` (same-origin GETs, tools) or
 * one naming our host (behind a proxy that rewrites Host, the X-Forwarded-Host it adds), and no
 * `Sec-Fetch-Site: cross-site`. SameSite=Strict already keeps the cookie off other sites'
 * requests; this is the second lock for browsers or set-ups where it does not.
 */
export function sameOrigin(c: Context, side: RequestSide): boolean {
  const fetchSite = c.req.header('sec-fetch-site');
  if (fetchSite === 'cross-site' || fetchSite === 'same-site') return false;
  const origin = c.req.header('origin');
  if (origin === undefined) return true;
  let host: string;
  try {
    host = new URL(origin).host.toLowerCase();
  } catch {
    return false; // `null` and other opaque origins
  }
  const hosts = [new URL(c.req.url).host.toLowerCase()];
  const forwarded = side.trustProxy ? c.req.header('x-forwarded-host') : undefined;
  if (forwarded) hosts.push(forwarded.split(',').pop()!.trim().toLowerCase());
  return hosts.includes(host);
}
