// Names shared by the page and its service worker.

export const SHELL_CACHE = 'cfa-shell-v1';
export const API_CACHE = 'cfa-api-v1';
export const SHELL = [
  '/admin/analytics',
  '/admin/analytics/main.js',
  '/admin/analytics/main.css',
  '/admin/analytics/icon.svg',
];

/**
 * Cache key for an API answer. The Cache API keys on GET URLs only, so a POSTed query is keyed
 * by its URL plus a hash of its body (FNV-1a: cheap, and collisions only cost a stale answer).
 */
export function apiCacheKey(url: string, body: string): string {
  if (!body) return url;
  let hash = 0x811c9dc5;
  for (let i = 0; i < body.length; i++) {
    hash ^= body.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  const sep = url.includes('?') ? '&' : '?';
  return `${url}${sep}cfa-body=${(hash >>> 0).toString(36)}`;
}

/**
 * API answers that name users (the user list, one user's page, export, the realtime feed with its
 * user ids, a query or funnel that groups or filters by user): never kept in Cache Storage, where
 * they would outlive the session on a shared device. Everything else is aggregate figures,
 * cached for offline use until the session is refused or signs out. The sign-in and admin APIs
 * (sessions, roles, accounts, keys, links) never pass through the cache at all.
 */
export function isPersonalApi(pathname: string, body: string): boolean {
  if (pathname === '/api/analytics/users' || pathname.startsWith('/api/analytics/user/')) return true;
  if (pathname === '/api/analytics/realtime') return true;
  return body.includes('"user"');
}

/**
 * A refused session empties the API cache: what it holds was fetched with a session now invalid.
 * A 403 too: the session's roles may have shrunk since, so its old answers may cover too much.
 */
export function clearsApiCache(status: number): boolean {
  return status === 401 || status === 403;
}

/** Sign-out routes: whatever they answer, the cached answers of that session go. */
export function endsSession(pathname: string): boolean {
  return pathname === '/api/auth/logout' || pathname === '/api/auth/logout-all';
}
