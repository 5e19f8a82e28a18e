import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';

/** Where the collector took its token from (GET /admin/analytics/login-hint, public). */
export type TokenFrom = 'env' | 'file';

export function tokenHint(from: TokenFrom | null): string {
  if (from === 'env')
    return 'The token is the ANALYTICS_ADMIN_TOKEN the collector was started with; it also prints a link that logs in directly when it starts.';
  return 'The collector prints a link that logs in directly when it starts; the token is also in the admin-token file of its data directory (data/admin-token by default).';
}

/** Asks for the admin token when the page was opened without one (or it was refused). */
export function Login({ error, onToken }: { error: string | null; onToken: (token: string) => void }) {
  const [value, setValue] = useState('');
  const [from, setFrom] = useState<TokenFrom | null>(null);
  useEffect(() => {
    fetch('/admin/analytics/login-hint')
      .then((r) => (r.ok ? (r.json() as Promise<{ token_from?: string }>) : null))
      .then((hint) => setFrom(hint?.token_from === 'env' ? 'env' : 'file'))
      .catch(() => setFrom('file'));
  }, []);
  return html`<main class="wrap">
    <form
      class="box login"
      onSubmit=${(e: Event) => {
        e.preventDefault();
        if (value.trim()) onToken(value.trim());
      }}
    >
      <h1>CloudFace Analytics</h1>
      ${error && html`<p class="error" role="alert">${error}</p>`}
      <label for="token">Admin token</label>
      <input
        id="token"
        type="password"
        autocomplete="current-password"
        value=${value}
        onInput=${(e: Event) => setValue((e.target as HTMLInputElement).value)}
      />
      <button class="btn" type="submit">Open the dashboard</button>
      <p class="muted" data-token-hint>${from && `${tokenHint(from)} It is kept for this tab only.`}</p>
    </form>
  </main>`;
}
