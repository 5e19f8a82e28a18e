// Dashboard entry: log in from the URL fragment, mount the app, register the offline worker.
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { html } from 'htm/preact';
import { render } from 'preact';
import { takeToken } from './lib/auth.ts';
import { App } from './ui/app.ts';
import { API_CACHE } from './lib/sw-keys.ts';

const { token, hash } = takeToken({ hash: location.hash, storage: sessionStorage });
if (hash !== location.hash) history.replaceState(null, '', `${location.pathname}${location.search}${hash}`);

// Nothing to show without a token: what an earlier tab left in the API cache goes (the worker
// keeps aggregate answers for offline use until a token is refused or the admin logs out).
if (!token) void globalThis.caches?.delete(API_CACHE).catch(() => undefined);

const root = document.getElementById('app')!;
// Preact keeps foreign children of the root; the boot message goes before the first render.
root.textContent = '';
render(html`<${App} initialToken=${token} />`, root);

if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('/admin/analytics/sw.js', { scope: '/admin/analytics' }).catch(() => {
    // No worker (private mode, http on a LAN address): the dashboard works, only not offline.
  });
}
