// The sign-in routes. The session itself is the collector's HttpOnly cookie: no script here can
// read it, and nothing secret is kept in sessionStorage or localStorage. What the page keeps is a
// note of who signed in (name and roles, no secret), so a tab opened with no connection can show
// the figures the service worker kept for that same browser; it goes with the cache on sign-out.

import { CSRF_HEADER, lockoutMessage, retryAfterSeconds } from './api.ts';
import { readSession, type Session } from './session.ts';

export type SignInResult =
  | { ok: true; session: Session }
  | {
      ok: false;
      /** 0: no answer (no connection, collector down) */
      status: number;
      error: string;
      retryAfter: number | null;
      /** a public link that needs its password */
      passwordRequired: boolean;
    };

type Fetcher = typeof fetch;
const defaultFetch: Fetcher = (...args) => fetch(...args);

async function call(
  path: string,
  body: unknown,
  fetcher: Fetcher,
  csrf = '',
): Promise<{ status: number; body: Record<string, unknown>; retryAfter: number | null }> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (csrf) headers[CSRF_HEADER] = csrf;
  let response: Response;
  try {
    response = await fetcher(path, {
      method: body === undefined ? 'GET' : 'POST',
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    return { status: 0, body: {}, retryAfter: null };
  }
  let parsed: unknown = null;
  try {
    parsed = await response.json();
  } catch {
    // A proxy's HTML page: the status says enough.
  }
  return {
    status: response.status,
    body: parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {},
    retryAfter: retryAfterSeconds(response.headers.get('retry-after'), Date.now()),
  };
}

async function signInCall(path: string, body: unknown, fetcher: Fetcher): Promise<SignInResult> {
  const answer = await call(path, body, fetcher);
  const session = answer.status === 200 ? readSession(answer.body) : null;
  if (session) return { ok: true, session };
  return {
    ok: false,
    status: answer.status === 200 ? 502 : answer.status,
    error: typeof answer.body.error === 'string' ? answer.body.error : '',
    retryAfter: answer.retryAfter,
    passwordRequired: answer.body.password_required === true,
  };
}

export const signIn = (username: string, password: string, fetcher = defaultFetch) =>
  signInCall('/api/auth/login', { username, password }, fetcher);

/** Trades the admin token (the printed #token= link, or typed) for an owner session. */
export const exchangeToken = (token: string, fetcher = defaultFetch) =>
  signInCall('/api/auth/token', { token }, fetcher);

/** The session this browser's cookie holds, if any (a new tab, a reload). */
export const currentSession = (fetcher = defaultFetch) => signInCall('/api/auth/me', undefined, fetcher);

/** Opens a public link: its site, read-only, with its own cookie. */
export const openLink = (id: string, password: string | undefined, fetcher = defaultFetch) =>
  signInCall('/api/auth/link', password === undefined ? { id } : { id, password }, fetcher);

/** Ends this session, or every session of the account. True when the collector confirmed it. */
export async function signOut(csrf: string, everywhere: boolean, fetcher = defaultFetch): Promise<boolean> {
  const answer = await call(everywhere ? '/api/auth/logout-all' : '/api/auth/logout', {}, fetcher, csrf);
  // 401: the session was already gone, which is what signing out wants.
  return answer.status === 200 || answer.status === 204 || answer.status === 401;
}

/** What the sign-in form says about a failure, by what was tried. */
export function signInMessage(
  failure: Extract<SignInResult, { ok: false }>,
  tried: 'password' | 'token' | 'link',
  now: number,
): string {
  if (failure.status === 0)
    return 'No connection to the collector: signing in needs it. Try again when it is reachable.';
  if (failure.status === 429)
    return lockoutMessage(failure.error || 'too many sign-in attempts', failure.retryAfter, now);
  if (failure.status === 401 || failure.status === 403) {
    if (tried === 'password') return 'Wrong username or password.';
    if (tried === 'token') return 'That admin token was refused.';
    if (failure.passwordRequired) return 'Wrong password for this link.';
  }
  if (tried === 'link') return linkGoneMessage(failure.error);
  return `The collector says: ${failure.error || `HTTP ${failure.status}`}. Try again later.`;
}

/** A public link that no longer opens: expired, revoked or never existed (the server does not say which to strangers). */
export function linkGoneMessage(reason: string): string {
  return `This link does not work any more: it may have expired or been revoked${reason ? ` (the collector says: ${reason})` : ''}. Ask whoever shared it for a new one.`;
}

const SIGNED_IN_KEY = 'cfa-signed-in';
type Notes = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** Notes who signed in, without the CSRF token (it is only good with the cookie, online). */
export function rememberSession(storage: Notes, session: Session): void {
  if (session.kind === 'link') return;
  storage.setItem(SIGNED_IN_KEY, JSON.stringify({ ...session, csrf: '' }));
}

/** Who signed in on this browser last, for a tab that opens with no connection. */
export function recalledSession(storage: Notes): Session | null {
  try {
    const noted = JSON.parse(storage.getItem(SIGNED_IN_KEY) ?? 'null') as Record<string, unknown> | null;
    if (!noted) return null;
    const session = readSession({ ...noted, user: { name: noted.name } });
    return session && session.kind !== 'link' ? session : null;
  } catch {
    return null;
  }
}

export function forgetSession(storage: Notes): void {
  storage.removeItem(SIGNED_IN_KEY);
}
