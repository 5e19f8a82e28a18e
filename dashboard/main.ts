// Dashboard entry: take the admin token out of the URL fragment, sign in, mount the app, and
// register the offline worker (not on a public link: its visitors need no admin cache).
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { html } from 'htm/preact';
import { render } from 'preact';
import { shareId, takeHashToken } from './lib/session.ts';
import { Root } from './ui/root.ts';

// Out of the address bar before anything else runs: not left in history, screenshots or a link
// copied from the bar. It is traded for a session cookie once and never stored.
const { token, hash } = takeHashToken(location.hash);
if (hash !== location.hash) history.replaceState(null, '', `${location.pathname}${location.search}${hash}`);
const link = shareId(location.pathname);

const root = document.getElementById('app')!;
// Preact keeps foreign children of the root; the boot message goes before the first render.
root.textContent = '';
render(html`<${Root} hashToken=${link ? null : token} link=${link} />`, root);

if (!link && 'serviceWorker' in navigator) {
  navigator.serviceWorker.register('/admin/analytics/sw.js', { scope: '/admin/analytics' }).catch(() => {
    // No worker (private mode, http on a LAN address): the dashboard works, only not offline.
  });
}
