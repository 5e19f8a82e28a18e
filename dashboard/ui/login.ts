import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';

/** Where the collector took its token from (GET /admin/analytics/login-hint, public). */
export type TokenFrom = 'env' | 'file';

export function tokenHint(from: TokenFrom | null): string {
  if (from === 'env')
    return 'The token is the ANALYTICS_ADMIN_TOKEN the collector was started with; it also prints a link that signs in directly when it starts.';
  return 'The collector prints a link that signs in directly when it starts; the token is also in the admin-token file of its data directory (data/admin-token by default).';
}

const value = (e: Event) => (e.target as HTMLInputElement).value;

/** Asks the collector where its token comes from (public: it never says the token). */
const fetchHint = (): Promise<TokenFrom> =>
  fetch('/admin/analytics/login-hint')
    .then((r) => (r.ok ? (r.json() as Promise<{ token_from?: string }>) : null))
    .then((hint) => (hint?.token_from === 'env' ? 'env' : 'file'));

/**
 * The sign-in form: an account's name and password, or the admin token (the first run, before
 * any account exists, and the owner's way back in). Either way the collector answers with a
 * session cookie that lasts across tabs and restarts.
 */
export function Login({
  error,
  notice = null,
  tokenFirst = false,
  busy,
  onPassword,
  onToken,
  loadHint = fetchHint,
}: {
  loadHint?: () => Promise<TokenFrom>;
  /** open on the admin token's field (the printed link's token was refused) */
  tokenFirst?: boolean;
  error: string | null;
  /** what just happened, when it is no failure ("Signed out.") */
  notice?: string | null;
  busy: boolean;
  onPassword: (username: string, password: string) => void;
  onToken: (token: string) => void;
}) {
  const [mode, setMode] = useState<'password' | 'token'>(tokenFirst ? 'token' : 'password');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [token, setToken] = useState('');
  const [from, setFrom] = useState<TokenFrom | null>(null);
  useEffect(() => {
    if (mode !== 'token' || from) return;
    loadHint().then(setFrom, () => setFrom('file'));
  }, [mode]);
  const submit = (e: Event) => {
    e.preventDefault();
    if (busy) return;
    if (mode === 'password' && username.trim() && password) onPassword(username.trim(), password);
    if (mode === 'token' && token.trim()) onToken(token.trim());
  };
  return html`<main class="wrap">
    <form class="box login" onSubmit=${submit} aria-busy=${busy}>
      <h1>CloudFace Analytics</h1>
      ${error && html`<p class="error" role="alert">${error}</p>`}
      ${notice && html`<p class="muted" role="status" data-signin-notice>${notice}</p>`}
      ${
        mode === 'password'
          ? html`<label for="username">Username</label>
              <input
                id="username"
                autocomplete="username"
                autocapitalize="none"
                spellcheck=${false}
                value=${username}
                onInput=${(e: Event) => setUsername(value(e))}
              />
              <label for="password">Password</label>
              <input
                id="password"
                type="password"
                autocomplete="current-password"
                value=${password}
                onInput=${(e: Event) => setPassword(value(e))}
              />
              <button class="btn" type="submit" disabled=${busy}>Sign in</button>
              <button class="link-btn" type="button" data-use-token onClick=${() => setMode('token')}>
                Use the admin token instead
              </button>`
          : html`<label for="token">Admin token</label>
              <input
                id="token"
                type="password"
                autocomplete="off"
                value=${token}
                onInput=${(e: Event) => setToken(value(e))}
              />
              <button class="btn" type="submit" disabled=${busy}>Sign in with the token</button>
              <button class="link-btn" type="button" onClick=${() => setMode('password')}>
                Sign in with a username instead
              </button>
              <p class="muted" data-token-hint>${from && tokenHint(from)}</p>`
      }
      <p class="muted">You stay signed in on this browser until you sign out.</p>
    </form>
  </main>`;
}

/** A public link with a password: asks for it. */
export function LinkPassword({
  error,
  busy,
  onPassword,
}: {
  error: string | null;
  busy: boolean;
  onPassword: (password: string) => void;
}) {
  const [password, setPassword] = useState('');
  return html`<main class="wrap">
    <form
      class="box login"
      data-link-password
      aria-busy=${busy}
      onSubmit=${(e: Event) => {
        e.preventDefault();
        if (password && !busy) onPassword(password);
      }}
    >
      <h1>Shared dashboard</h1>
      ${error && html`<p class="error" role="alert">${error}</p>`}
      <label for="link-password">This dashboard is protected by a password</label>
      <input
        id="link-password"
        type="password"
        autocomplete="off"
        value=${password}
        onInput=${(e: Event) => setPassword(value(e))}
      />
      <button class="btn" type="submit" disabled=${busy}>Open</button>
    </form>
  </main>`;
}

/** A public link that does not open (expired, revoked, unknown). */
export function LinkGone({ message }: { message: string }) {
  return html`<main class="wrap">
    <div class="box login" data-link-gone>
      <h1>Shared dashboard</h1>
      <p class="error" role="alert">${message}</p>
    </div>
  </main>`;
}
