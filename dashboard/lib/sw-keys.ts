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
