import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { formatAge, formatAgo } from '../lib/format.ts';
import { can, describeRoles, type Session } from '../lib/session.ts';
import { RANGES, type RangeKey, type ViewState } from '../lib/url-state.ts';

const LABELS: Record<RangeKey, string> = {
  '24h': '24h',
  '7d': '7d',
  '30d': '30d',
  '90d': '90d',
  custom: 'Custom',
};
export const REFRESH_CHOICES = [
  { ms: 60_000, label: '1 min' },
  { ms: 300_000, label: '5 min' },
  { ms: 900_000, label: '15 min' },
  { ms: 0, label: 'off' },
];

export interface HeaderProps {
  state: ViewState;
  /** a page without figures (Team & sharing): no site, range or refresh controls */
  compact?: boolean;
  session: Session;
  sites: string[];
  offline: boolean;
  /** epoch ms of the data shown, when it came from the offline cache */
  cachedAt: number | null;
  updatedAt: number | null;
  /** requests in flight */
  busy: boolean;
  now: number;
  refreshMs: number;
  onState: (next: ViewState) => void;
  /** another site picked: the app decides which filters still apply there */
  onSite: (site: string) => void;
  onRefresh: () => void;
  onRefreshMs: (ms: number) => void;
  onSignOut: (everywhere: boolean) => void;
}

const today = () => new Date().toISOString().slice(0, 10);
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

/** Why a custom range cannot be applied, or null when it can. Dates are YYYY-MM-DD (UTC). */
export function rangeProblem(from: string, to: string, today: string): string | null {
  if (!from || !to) return 'Pick both dates.';
  if (from > to) return 'The start date is after the end date.';
  if (from > today) return 'The range starts in the future: there is no data yet.';
  return null;
}

/** Who is signed in, with the way to the team page and out; a public link says what it is instead. */
function Account({
  session,
  state,
  onState,
  onSignOut,
}: Pick<HeaderProps, 'session' | 'state' | 'onState' | 'onSignOut'>) {
  if (session.kind === 'link')
    return html`<span class="badge live" data-public>Public dashboard · ${session.site ?? ''}</span>`;
  return html`<details class="account" data-account>
    <summary class="btn" aria-label=${`Account: ${session.name ?? 'admin token'}`}>
      <span class="account-name">${session.name ?? 'admin token'}</span><span aria-hidden="true"> ▾</span>
    </summary>
    <div class="account-menu">
      <p class="muted small">${describeRoles(session.roles)}</p>
      ${
        can(session, 'team') &&
        html`<button
          class="btn"
          type="button"
          data-team-link
          onClick=${() => onState({ ...state, user: '', section: 'team' })}
        >
          Team & sharing
        </button>`
      }
      <button class="btn" type="button" onClick=${() => onSignOut(false)}>Sign out</button>
      ${
        session.kind === 'account' &&
        html`<button class="btn" type="button" onClick=${() => onSignOut(true)}>Sign out everywhere</button>`
      }
    </div>
  </details>`;
}

/** Title, site switcher, time range, refresh controls, the account menu and the offline badge. */
export function Header(p: HeaderProps) {
  const [from, setFrom] = useState(p.state.from || daysAgo(13));
  const [to, setTo] = useState(p.state.to || today());
  const [problem, setProblem] = useState<string | null>(null);
  // A linked ?site= the list lacks still shows as picked, not as "All sites".
  const sites = p.state.site && !p.sites.includes(p.state.site) ? [...p.sites, p.state.site] : p.sites;
  // "All sites" needs a role on every site; a public link reads its one site and picks nothing.
  const allSites = can(p.session, 'all-sites');
  const picker = !p.compact && p.session.kind !== 'link' && sites.length > 1;
  const pick = (range: RangeKey) => {
    if (range === 'custom') p.onState({ ...p.state, range, from, to: to < from ? from : to });
    else p.onState({ ...p.state, range, from: '', to: '' });
  };
  return html`<header class="top">
    ${
      p.session.kind === 'link'
        ? html`<span class="brand"><img src="/admin/analytics/icon.svg" alt="" />CloudFace Analytics</span>`
        : html`<a class="brand" href="/admin/analytics" aria-label="CloudFace Analytics, overview">
            <img src="/admin/analytics/icon.svg" alt="" />CloudFace Analytics
          </a>`
    }
    ${
      (p.offline || p.cachedAt !== null) &&
      html`<span class="badge" role="status" data-offline
        >${p.offline ? 'Offline' : 'Collector unreachable'}${p.cachedAt !== null ? ` · data from ${formatAgo(p.cachedAt, p.now)}` : ''}</span
      >`
    }
    <span
      class="status muted"
      role="status"
      aria-live="polite"
      data-status
      data-busy=${p.busy ? '' : undefined}
    >
      ${p.busy ? html`<span class="spinner" aria-hidden="true"></span>Updating…` : p.updatedAt ? `Updated ${formatAge(p.updatedAt, p.now)}` : ''}
    </span>
    ${
      picker &&
      html`<label
        ><span class="sr-only">Site</span>
        <select
          class="site"
          value=${p.state.site}
          onChange=${(e: Event) => p.onSite((e.target as HTMLSelectElement).value)}
        >
          ${allSites && html`<option value="">All sites</option>`}
          ${sites.map((s) => html`<option value=${s}>${s}</option>`)}
        </select></label
      >`
    }
    ${
      !p.compact &&
      html`<div class="seg" role="group" aria-label="Time range">
          ${RANGES.map(
            (r) =>
              html`<button
                type="button"
                aria-pressed=${p.state.range === r}
                data-range=${r}
                onClick=${() => pick(r)}
              >
                ${LABELS[r]}
              </button>`,
          )}
        </div>
        ${
          p.state.range === 'custom' &&
          html`<div class="custom">
            <label
              >From
              <input
                type="date"
                value=${from}
                max=${to < today() ? to : today()}
                onChange=${(e: Event) => setFrom((e.target as HTMLInputElement).value)}
            /></label>
            <label
              >to
              <input
                type="date"
                value=${to}
                min=${from}
                max=${today()}
                onChange=${(e: Event) => setTo((e.target as HTMLInputElement).value)}
            /></label>
            <button
              class="btn"
              type="button"
              onClick=${() => {
                const why = rangeProblem(from, to, today());
                setProblem(why);
                if (!why) p.onState({ ...p.state, range: 'custom', from, to: to > today() ? today() : to });
              }}
            >
              Apply
            </button>
            ${problem && html`<span class="error" role="alert" data-range-error>${problem}</span>`}
            <span class="muted">UTC days</span>
          </div>`
        }
        <button
          class="btn"
          type="button"
          onClick=${p.onRefresh}
          disabled=${p.busy}
          title=${p.updatedAt ? `Updated ${formatAge(p.updatedAt, p.now)}` : 'Refresh'}
        >
          Refresh
        </button>
        <label class="muted"
          >Auto
          <select
            class="site"
            value=${String(p.refreshMs)}
            onChange=${(e: Event) => p.onRefreshMs(Number((e.target as HTMLSelectElement).value))}
          >
            ${REFRESH_CHOICES.map((c) => html`<option value=${String(c.ms)}>${c.label}</option>`)}
          </select></label
        >`
    }
    <${Account} session=${p.session} state=${p.state} onState=${p.onState} onSignOut=${p.onSignOut} />
  </header>`;
}
