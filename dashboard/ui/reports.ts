import { html } from 'htm/preact';
import type {
  FunnelResponse,
  JourneysResponse,
  RetentionResponse,
  ViralityResponse,
} from '../../shared/api.ts';
import { formatNumber, formatPercent } from '../lib/format.ts';
import { downloadCsv } from './csv.ts';

function Box({
  id,
  title,
  error,
  children,
  onCsv,
  scope,
}: {
  id: string;
  title: string;
  error?: string | null;
  children?: unknown;
  onCsv?: () => void;
  /** what the figures were computed under, when it is not the view (unfiltered, another range) */
  scope?: (string | null)[];
}) {
  const notes = (scope ?? []).filter(Boolean);
  return html`<section class="box" data-panel=${id} aria-label=${title}>
    <div class="box-head">
      <h2>${title}</h2>
      ${onCsv && html`<button class="link-btn" type="button" onClick=${onCsv}>Export CSV</button>`}
    </div>
    ${notes.map((n) => html`<p class="scope-note" data-scope>${n}</p>`)}
    ${error ? html`<p class="error" role="alert">${error}</p>` : children}
  </section>`;
}

/** Funnel steps with the share of step 1 reaching each and the drop-off from the step before. */
export function Funnel({
  data,
  error,
  hidden,
  scope,
}: {
  data: FunnelResponse | null;
  error: string | null;
  /** why this view has no funnel (the default one belongs to other sites), or null */
  hidden?: string | null;
  scope?: (string | null)[];
}) {
  if (hidden)
    return html`<${Box} id="funnel" title="Funnel">
      <p class="empty" data-funnel-hidden>${hidden}</p>
    <//>`;
  const steps = data?.steps ?? [];
  const csv = () =>
    downloadCsv(
      'Funnel',
      [
        { key: 'label', label: 'Step' },
        { key: 'visitors', label: 'Visitors' },
        { key: 'conversion_rate', label: 'Conversion %' },
        { key: 'drop_off', label: 'Drop-off' },
      ],
      steps,
    );
  return html`<${Box}
    id="funnel"
    title="Funnel"
    error=${error}
    scope=${scope}
    onCsv=${steps.length ? csv : undefined}
  >
    ${
      !data
        ? html`<p class="empty">Loading…</p>`
        : steps[0]?.visitors
          ? steps.map(
              (s, i) =>
                html`<div class="funnel-step">
                  <span>${i + 1}. ${s.label}</span>
                  <span
                    ><strong>${formatNumber(s.visitors)}</strong>
                    <span class="muted">${` · ${formatPercent(s.conversion_rate)}`}</span></span
                  >
                  <div class="funnel-bar">
                    <div style=${{ width: `${Math.max(0, Math.min(100, s.conversion_rate))}%` }}></div>
                  </div>
                  ${i > 0 && html`<span class="muted">−${formatNumber(s.drop_off)} (${formatPercent(s.drop_off_rate)} dropped)</span>`}
                </div>`,
            )
          : html`<p class="empty">No visits in this period.</p>`
    }
  <//>`;
}

/** Weekly cohorts of identified users and the share returning each week after. */
export function Retention({
  data,
  error,
  scope,
}: {
  data: RetentionResponse | null;
  error: string | null;
  scope?: (string | null)[];
}) {
  const cohorts = data?.cohorts ?? [];
  const weeks = Math.max(0, ...cohorts.map((c) => c.rates.length));
  return html`<${Box}
    id="retention"
    title="Retention (identified users, weekly)"
    error=${error}
    scope=${scope}
  >
    ${
      !data
        ? html`<p class="empty">Loading…</p>`
        : cohorts.length === 0
          ? html`<p class="empty">No identified users yet.</p>`
          : html`<div class="retention">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Cohort</th>
                    <th scope="col">Users</th>
                    ${Array.from({ length: weeks }, (_, w) => html`<th scope="col">W${w}</th>`)}
                  </tr>
                </thead>
                <tbody>
                  ${cohorts.map(
                    (c) =>
                      html`<tr>
                        <th scope="row">${c.week}</th>
                        <td>${formatNumber(c.users)}</td>
                        ${Array.from({ length: weeks }, (_, w) => {
                          const rate = c.rates[w];
                          return html`<td
                            class="cell"
                            style=${rate === undefined ? {} : { background: `color-mix(in srgb, var(--accent) ${Math.round(rate * 0.8)}%, transparent)` }}
                          >
                            ${rate === undefined ? '' : formatPercent(rate)}
                          </td>`;
                        })}
                      </tr>`,
                  )}
                </tbody>
              </table>
            </div>`
    }
    ${data?.note && html`<p class="muted">${data.note}</p>`}
  <//>`;
}

/** Most common page-to-page moves and three-page paths. */
export function Journeys({
  data,
  error,
  scope,
}: {
  data: JourneysResponse | null;
  error: string | null;
  scope?: (string | null)[];
}) {
  const rows = data?.transitions ?? [];
  return html`<${Box}
    id="journeys"
    title="Journeys"
    error=${error}
    scope=${scope}
    onCsv=${
      rows.length
        ? () =>
            downloadCsv(
              'Journeys',
              [
                { key: 'from', label: 'From' },
                { key: 'to', label: 'To' },
                { key: 'count', label: 'Count' },
              ],
              rows,
            )
        : undefined
    }
  >
    ${
      !data
        ? html`<p class="empty">Loading…</p>`
        : rows.length === 0
          ? html`<p class="empty">No page-to-page moves in this period.</p>`
          : html`<table class="list">
                <thead>
                  <tr>
                    <th scope="col">From → to</th>
                    <th scope="col">Times</th>
                  </tr>
                </thead>
                <tbody>
                  ${rows.map(
                    (t) =>
                      html`<tr>
                        <td>
                          <span class="row-text" title=${`${t.from} → ${t.to}`}>${t.from} → ${t.to}</span>
                        </td>
                        <td>${formatNumber(t.count)}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>
              ${
                data.paths.length > 0 &&
                html`<h3 class="subhead">Top 3-page paths</h3>
                  <table class="list">
                    <tbody>
                      ${data.paths.slice(0, 5).map(
                        (p) =>
                          html`<tr>
                            <td>
                              <span class="row-text" title=${p.path.join(' → ')}>${p.path.join(' → ')}</span>
                            </td>
                            <td>${formatNumber(p.count)}</td>
                          </tr>`,
                      )}
                    </tbody>
                  </table>`
              }`
    }
  <//>`;
}

/** Share virality in one line: visits through shared links per share (the k-factor). */
export function viralityNote(v: ViralityResponse | null): string | undefined {
  if (!v) return undefined;
  const n = (count: number, word: string) => `${formatNumber(count)} ${word}${count === 1 ? '' : 's'}`;
  return `${n(v.total_shares, 'share')} reached ${n(v.total_recipients, 'recipient')} and brought ${n(v.total_shared_visits, 'visit')} through shared links · k-factor ${v.total_shares ? v.k_factor.toFixed(2) : '–'}`;
}
