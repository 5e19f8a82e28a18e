// Service worker: keeps the dashboard usable with no connection (the seed's mobile promise).
// Everything is network first, so a connected admin always sees fresh data and a new build; the
// cache only answers when the network does not, and then says when its copy was fetched.

import { CACHED_AT_HEADER } from './lib/api.ts';
import {
  apiCacheKey,
  API_CACHE,
  clearsApiCache,
  endsSession,
  isPersonalApi,
  SHELL,
  SHELL_CACHE,
} from './lib/sw-keys.ts';

// The worker global, typed by hand: the WebWorker lib cannot be mixed with the DOM lib in one
// project, and these few members are all the worker uses.
interface ExtendableEvent extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  request: Request;
  respondWith(response: Promise<Response>): void;
}
interface WorkerScope {
  addEventListener(type: 'install' | 'activate', listener: (event: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', listener: (event: FetchEvent) => void): void;
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void> };
  location: Location;
}
const worker = self as unknown as WorkerScope;

worker.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(SHELL_CACHE)
      .then((cache) => cache.addAll(SHELL))
      .then(() => worker.skipWaiting()),
  );
});

worker.addEventListener('activate', (event) => {
  event.waitUntil(worker.clients.claim());
});

async function stamped(response: Response): Promise<Response> {
  const headers = new Headers(response.headers);
  headers.set(CACHED_AT_HEADER, String(Date.now()));
  return new Response(await response.blob(), { status: response.status, headers });
}

async function networkFirst(request: Request, key: Request | string, cacheName: string): Promise<Response> {
  const cache = await caches.open(cacheName);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(key, await stamped(response.clone()));
    else if (cacheName === API_CACHE && clearsApiCache(response.status)) await caches.delete(API_CACHE);
    return response;
  } catch (error) {
    const cached = await cache.match(key, { ignoreSearch: cacheName === SHELL_CACHE });
    if (cached) return cached;
    throw error;
  }
}

worker.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (url.origin !== worker.location.origin) return;
  if (endsSession(url.pathname)) {
    // The page empties the cache too, but an answer still on its way could land after that.
    event.respondWith(fetch(event.request).finally(() => caches.delete(API_CACHE)));
    return;
  }
  // Everything else outside the analytics API (sign-in, the admin API) is never cached: it names
  // the session, its roles, accounts and keys.
  if (url.pathname.startsWith('/api/analytics/')) {
    const request = event.request;
    if (request.method !== 'GET' && request.method !== 'POST') return;
    event.respondWith(
      (async () => {
        const body = request.method === 'POST' ? await request.clone().text() : '';
        if (!isPersonalApi(url.pathname, body))
          return networkFirst(request, apiCacheKey(url.href, body), API_CACHE);
        // Straight to the network; a refused session still empties what the cache holds.
        const response = await fetch(request);
        if (clearsApiCache(response.status)) await caches.delete(API_CACHE);
        return response;
      })(),
    );
    return;
  }
  if (event.request.method === 'GET' && url.pathname.startsWith('/admin/analytics')) {
    // Every view of the page is the same index.html, whatever its query string.
    const key = url.pathname.replace(/\/$/, '') === '/admin/analytics' ? '/admin/analytics' : url.pathname;
    event.respondWith(networkFirst(event.request, key, SHELL_CACHE));
  }
});
