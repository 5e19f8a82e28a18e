import { html } from 'htm/preact';
import type { UserResponse } from '../../shared/api.ts';
import { countryName, formatDuration, formatNumber, formatTime } from '../lib/format.ts';
import { Cards } from './cards.ts';
import { downloadCsv } from './csv.ts';

function step(e: UserResponse['journey'][number]): string {
  if (e.kind === 'pageview') return `Viewed ${e.path}`;
  if (e.kind === 'share') return `Shared via ${e.name}${e.recipients ? ` to ${e.recipients}` : ''}`;
  const props = Object.entries(e.props)
    .map(([k, v]) => `${k}: ${String(v)}`)
    .join(', ');
  return `${e.name}${props ? ` (${props})` : ''}`;
}

/** One user's totals, sessions and journey timeline. */
export function UserPage({
  user,
  data,
  error,
  onBack,
}: {
  user: string;
  data: UserResponse | null;
  error: string | null;
  onBack: () => void;
}) {
  return html`<main class="wrap" data-user-page>
    <div class="box-head user-head">
      <button class="btn" type="button" onClick=${onBack}>← Overview</button>
      <h1 class="user-title">User <span>${user}</span></h1>
    </div>
    ${error && html`<p class="box error" role="alert">${error}</p>`}
    ${!data && !error && html`<p class="notice">Loading…</p>`}
    ${
      data &&
      html`<${Cards}
          cards=${[
            { id: 'sessions', label: 'Sessions', value: data.sessions, format: 'number' },
            { id: 'pageviews', label: 'Page views', value: data.pageviews, format: 'number' },
            { id: 'total_time', label: 'Time spent', value: data.total_time, format: 'duration' },
            { id: 'actions', label: 'Actions', value: data.actions, format: 'number' },
            { id: 'shares', label: 'Shares', value: data.shares, format: 'number' },
          ]}
        />
        <p class="muted">
          ${`First seen ${formatTime(Date.parse(data.first_seen))} · last seen ${formatTime(Date.parse(data.last_seen))} UTC · ${countryName(data.country)}`}
        </p>
        <div class="grid">
          <section class="box" aria-label="Sessions">
            <div class="box-head">
              <h2>Sessions</h2>
              <button
                class="link-btn"
                type="button"
                onClick=${() =>
                  downloadCsv(
                    `User ${user} sessions`,
                    [
                      { key: 'start', label: 'Start' },
                      { key: 'duration', label: 'Seconds' },
                      { key: 'pageviews', label: 'Views' },
                      { key: 'actions', label: 'Actions' },
                      { key: 'entry_page', label: 'Entry page' },
                      { key: 'source', label: 'Source' },
                    ],
                    data.sessions_list.map((s) => ({ ...s })),
                  )}
              >
                Export CSV
              </button>
            </div>
            <table class="list">
              <thead>
                <tr>
                  <th scope="col">Start</th>
                  <th scope="col">Length</th>
                  <th scope="col">Views</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                ${data.sessions_list.map(
                  (s) =>
                    html`<tr>
                      <td>
                        <span class="row-text" title=${`${s.entry_page} · ${s.source || 'direct'}`}
                          >${formatTime(Date.parse(s.start))} · ${s.entry_page}</span
                        >
                      </td>
                      <td>${formatDuration(s.duration)}</td>
                      <td>${formatNumber(s.pageviews)}</td>
                      <td>${formatNumber(s.actions)}</td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </section>
          <section class="box" aria-label="Journey">
            <div class="box-head"><h2>Journey</h2></div>
            <ol class="timeline">
              ${data.journey.map((e) => html`<li data-kind=${e.kind}><span class="muted">${formatTime(Date.parse(e.time), { seconds: true })}</span><span>${step(e)}</span></li>`)}
            </ol>
          </section>
        </div>`
    }
  </main>`;
}
