// The only door to data: the token-protected query API. Answers served by the service worker
// from its cache (no connection) carry the time they were fetched, so the page can say how old
// they are.

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

export class ApiClient {
  constructor(
    private readonly token: string,
    private readonly fetcher: typeof fetch = (...args) => fetch(...args),
  ) {}

  get<T>(path: string, params: Params = {}): Promise<Answer<T>> {
    const search = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') search.set(k, String(v));
    const qs = search.toString();
    return this.request<T>(qs ? `${path}?${qs}` : path, { method: 'GET' });
  }

  post<T>(path: string, body: unknown): Promise<Answer<T>> {
    return this.request<T>(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  /** PUT or DELETE (saved funnels and segments); DELETE's 204 answers null. */
  send<T>(method: 'PUT' | 'DELETE', path: string, body?: unknown): Promise<Answer<T>> {
    return this.request<T>(path, {
      method,
      ...(body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
  }

  private async request<T>(url: string, init: RequestInit): Promise<Answer<T>> {
    let response: Response;
    try {
      response = await this.fetcher(url, {
        ...init,
        headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${this.token}` },
      });
    } catch {
      throw new ApiError('no connection to the collector', 0);
    }
    if (response.status === 401 || response.status === 403)
      throw new AuthError('the admin token was refused');
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
