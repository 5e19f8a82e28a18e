import { html } from 'htm/preact';
import type { RealtimeResponse } from '../../shared/api.ts';
import { countryName, formatAgo, formatNumber, formatTime } from '../lib/format.ts';

function describe(e: RealtimeResponse['events'][number]): string {
  if (e.kind === 'pageview') return e.path;
  if (e.kind === 'share') return `${e.name} ${e.path}`;
  if (e.kind === 'action') return e.name;
  return e.path;
}

/** Today's (UTC) events by time alone (the feed is narrow on phones); older ones with their date. */
function when(ms: number, now: number): string {
  const day = (t: number) => new Date(t).toISOString().slice(0, 10);
  return day(ms) === day(now)
    ? new Date(ms).toLocaleTimeString('en-GB', { timeZone: 'UTC' })
    : formatTime(ms, { seconds: true });
}

/** Active visitors now and the newest events, refreshed every 10 s while the tab is visible. */
export function Realtime({
  data,
  error,
  cachedAt,
  now,
  showUsers = true,
}: {
  /** false on a public link that hides identified users (the API blanks them too) */
  showUsers?: boolean;
  data: RealtimeResponse | null;
  error: string | null;
  /** when the answer came from the offline cache */
  cachedAt: number | null;
  now: number;
}) {
  // "live" only while fresh answers arrive: not on the offline cache's copy, not after a failure.
  const live = data !== null && error === null && cachedAt === null;
  return html`<section class="box" data-panel="realtime" aria-label="Realtime">
    <div class="box-head">
      <h2>Realtime</h2>
      ${
        live
          ? html`<span class="badge live" data-live>live · 10 s</span>`
          : data || error
            ? html`<span class="badge" data-stale
                >${cachedAt !== null ? `not live · from ${formatAgo(cachedAt, now)}` : 'not live'}</span
              >`
            : null
      }
    </div>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${
      data &&
      html`<p>
          <span class="big" data-active-now>${formatNumber(data.active_users_5m)}</span>
          <span class="muted">
            active in the last 5 min · ${formatNumber(data.active_users_1h)} in 1 h · times in UTC</span
          >
        </p>
        ${
          data.events.length === 0
            ? html`<p class="empty">No events yet.</p>`
            : html`<ul class="feed" aria-label="Latest events">
                ${data.events.slice(0, 50).map(
                  (e) =>
                    html`<li>
                      <span class="kind">${e.kind}</span>
                      <span title=${describe(e)}
                        >${describe(e)}${e.user && showUsers ? ` · ${e.user}` : ''}</span
                      >
                      <span class="muted">${countryName(e.country)} · ${when(Date.parse(e.time), now)}</span>
                    </li>`,
                )}
              </ul>`
        }`
    }
  </section>`;
}
