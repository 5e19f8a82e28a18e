import { html } from 'htm/preact';
import { useState } from 'preact/hooks';

/** Asks for the admin token when the page was opened without one (or it was refused). */
export function Login({ error, onToken }: { error: string | null; onToken: (token: string) => void }) {
  const [value, setValue] = useState('');
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
      <p class="muted">
        The collector prints a link that logs in directly when it starts; the token is also in
        <code>data/admin-token</code>. It is kept for this tab only.
      </p>
    </form>
  </main>`;
}
