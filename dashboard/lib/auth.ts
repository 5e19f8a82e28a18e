// The admin token: taken once from the #token= fragment that `npm start` prints (fragments never
// reach the server or its logs), kept in sessionStorage for this tab, and removed from the
// address bar so it is not left in history, screenshots or shared links.

const KEY = 'cfa-admin-token';

export interface TokenSource {
  hash: string;
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
}

/** The token from the fragment (stored for later) or from storage; also the fragment to keep. */
export function takeToken({ hash, storage }: TokenSource): { token: string | null; hash: string } {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const fromHash = params.get('token');
  if (fromHash) {
    params.delete('token');
    storage.setItem(KEY, fromHash);
    const rest = params.toString();
    return { token: fromHash, hash: rest ? `#${rest}` : '' };
  }
  return { token: storage.getItem(KEY), hash };
}

export function saveToken(storage: TokenSource['storage'], token: string): void {
  storage.setItem(KEY, token);
}

export function forgetToken(storage: TokenSource['storage']): void {
  storage.removeItem(KEY);
  storage.removeItem(VERIFIED_KEY);
}

// The token the collector last accepted live in this tab. Offline, only an answer from the service
// worker's cache comes back, and that proves nothing about the token typed: without this, anyone
// could type any token on a shared device while offline and browse the cached figures.
const VERIFIED_KEY = 'cfa-admin-token-verified';

/** Notes that the collector itself (not a cache) just accepted `token`. */
export function markVerified(storage: TokenSource['storage'], token: string): void {
  storage.setItem(VERIFIED_KEY, token);
}

/** What the token check's outcome means for the dashboard. */
export type TokenVerdict = 'open' | 'refused' | 'locked' | 'offline';

/**
 * Judges the one request that checks a token before the dashboard loads. Only a live answer
 * proves a token; offline (no connection, or an answer from the cache) the dashboard opens only
 * for the token this tab already saw accepted. A server error came from the collector after the
 * token guard, and the panels then show their own errors, never cached data.
 */
export function judgeToken(
  outcome: { ok: true; cachedAt: number | null } | { ok: false; status: number },
  token: string,
  storage: Pick<Storage, 'getItem'>,
): TokenVerdict {
  const seenBefore = storage.getItem(VERIFIED_KEY) === token;
  if (outcome.ok) return outcome.cachedAt === null || seenBefore ? 'open' : 'offline';
  if (outcome.status === 401 || outcome.status === 403) return 'refused';
  if (outcome.status === 429) return 'locked';
  if (outcome.status === 0) return seenBefore ? 'open' : 'offline';
  return 'open';
}
