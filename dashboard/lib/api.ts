// The only door to data: the session-protected query and admin APIs. The session is the
// HttpOnly cookie the browser sends by itself; the page adds only the CSRF token on requests that
// change something. Answers served by the service worker from its cache (no connection) carry
// the time they were fetched, so the page can say how old they are.

/** 401: the session is gone (signed out, expired, revoked); the page asks to sign in again. */
export class AuthError extends Error {}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    /** seconds to wait, from a 429's Retry-After */
    readonly retryAfter: number | null = null,
  ) {
    super(message);
  }
}

/** Retry-After in seconds (the collector sends seconds; an HTTP date is read as well). */
export function retryAfterSeconds(header: string | null, now: number): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

/** "Try again in 15 min (at 14:05)." for a lockout, from its Retry-After. */
export function lockoutMessage(reason: string, retryAfter: number | null, now: number): string {
  if (retryAfter === null) return `The collector says: ${reason}. Try again later.`;
  const wait = retryAfter < 60 ? `${retryAfter} s` : `${Math.ceil(retryAfter / 60)} min`;
  const at = new Date(now + retryAfter * 1000).toLocaleTimeString('en-GB', {
    timeZone: 'UTC',
    hour: '2-digit',
    minute: '2-digit',
  });
  return `The collector says: ${reason}. Try again in ${wait} (at ${at} UTC).`;
}

export interface Answer<T> {
  data: T;
  /** epoch ms when the service worker cached this answer, when it came from its cache */
  cachedAt: number | null;
}

/** Header the service worker adds to answers it serves from its cache. */
export const CACHED_AT_HEADER = 'x-cfa-cached-at';

export type Params = Record<string, string | number | undefined>;

/** Header carrying the session's CSRF token on state-changing requests. */
export const CSRF_HEADER = 'x-csrf-token';

export interface Credentials {
  /** the session's CSRF token (cookie sessions) */
  csrf?: string;
  /** an API key or the admin token: scripts and tests, never the dashboard page */
  bearer?: string;
}

export class ApiClient {
  constructor(
    private readonly credentials: Credentials = {},
    private readonly fetcher: typeof fetch = (...args) => fetch(...args),
  ) {}

  get<T>(path: string, params: Params = {}): Promise<Answer<T>> {
    const search = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') search.set(k, String(v));
    const qs = search.toString();
    return this.request<T>(qs ? `${path}?${qs}` : path, { method: 'GET' });
  }

  post<T>(path: string, body: unknown): Promise<Answer<T>> {
    return this.send<T>('POST', path, body);
  }

  patch<T>(path: string, body: unknown): Promise<Answer<T>> {
    return this.send<T>('PATCH', path, body);
  }

  delete<T>(path: string): Promise<Answer<T>> {
    return this.request<T>(path, { method: 'DELETE' });
  }

  /** A change (POST, PUT, PATCH, DELETE) with an optional JSON body: goals, cards, annotations, the team. */
  send<T>(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<Answer<T>> {
    return this.request<T>(path, {
      method,
      ...(body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
  }

  private async request<T>(url: string, init: RequestInit): Promise<Answer<T>> {
    const headers: Record<string, string> = { ...(init.headers as Record<string, string>) };
    if (this.credentials.bearer) headers.authorization = `Bearer ${this.credentials.bearer}`;
    // Every POST, even a read-only query, carries it: the collector needs no list of which are safe.
    if (init.method !== 'GET' && this.credentials.csrf) headers[CSRF_HEADER] = this.credentials.csrf;
    let response: Response;
    try {
      response = await this.fetcher(url, { ...init, headers, credentials: 'same-origin' });
    } catch {
      throw new ApiError('no connection to the collector', 0);
    }
    // A 403 is "not with your role", not "signed out": it is reported like any other refusal.
    if (response.status === 401) throw new AuthError('your session has ended');
    const text = await response.text();
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      // A proxy's HTML error page: report the status, not a JSON parse failure.
    }
    if (!response.ok) {
      const message =
        body && typeof body === 'object' && 'error' in body ? String(body.error) : `HTTP ${response.status}`;
      throw new ApiError(
        message,
        response.status,
        retryAfterSeconds(response.headers.get('retry-after'), Date.now()),
      );
    }
    const cached = response.headers.get(CACHED_AT_HEADER);
    return { data: body as T, cachedAt: cached ? Number(cached) : null };
  }
}
