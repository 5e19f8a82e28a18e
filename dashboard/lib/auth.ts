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
}
