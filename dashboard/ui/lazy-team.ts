import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import type { Team } from './team.ts';

type TeamComponent = typeof Team;
let loading: Promise<TeamComponent> | null = null;

/**
 * The Team & sharing page without its weight on every load: most visits only read figures, and
 * viewers never open it, so its forms arrive as a separate chunk on the first visit to the page.
 */
export function LazyTeam(props: Parameters<TeamComponent>[0]) {
  const [Page, setPage] = useState<TeamComponent | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    loading ??= import('./team.ts').then((m) => m.Team);
    loading.then(
      (component) => live && setPage(() => component),
      () => {
        // Offline before the chunk was cached: managing the team needs the collector anyway.
        loading = null;
        if (live) setFailed(true);
      },
    );
    return () => {
      live = false;
    };
  }, []);
  if (Page) return html`<${Page} ...${props} />`;
  return failed
    ? html`<p class="box error" role="alert">
        Could not load the team page: no connection to the collector.
      </p>`
    : html`<p class="notice" aria-busy="true">Loading…</p>`;
}
