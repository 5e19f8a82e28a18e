import { html } from 'htm/preact';
import { useCallback, useMemo, useState } from 'preact/hooks';
import type { ApiClient } from '../lib/api.ts';
import { can, describeRoles, sitesWith, type Session } from '../lib/session.ts';
import { teamApi } from '../lib/team.ts';
import { LabelledField } from './labelled-field.ts';
import { failureText } from './team-kit.ts';
import { TeamUsers } from './team-users.ts';
import { TeamKeys, TeamLinks } from './team-sharing.ts';

/**
 * Team & sharing: the owner's accounts, and per site (where the session is admin or owner) its
 * API keys and public links. The server checks every call again; this page only leaves out what
 * it would refuse.
 */
export function Team({
  api,
  session,
  sites,
  site,
  onBack,
  onExpired,
}: {
  api: ApiClient;
  session: Session;
  /** the sites the collector lists for this session */
  sites: readonly string[];
  /** the dashboard's current site, picked first when it may be managed here */
  site: string;
  onBack: () => void;
  onExpired: () => void;
}) {
  const team = useMemo(() => teamApi(api), [api]);
  const fail = useCallback((e: unknown) => failureText(e, onExpired), [onExpired]);
  const managed = sitesWith(session, sites, 'admin');
  const [picked, setPicked] = useState(managed.includes(site) ? site : (managed[0] ?? ''));
  const current = managed.includes(picked) ? picked : (managed[0] ?? '');
  return html`<main class="wrap" data-team>
    <div class="box-head user-head">
      <button class="btn" type="button" onClick=${onBack}>← Dashboard</button>
      <h1 class="user-title">Team & sharing</h1>
    </div>
    <p class="muted" data-me>
      Signed in as ${session.name ?? 'admin token'}: ${describeRoles(session.roles)}.
    </p>
    ${can(session, 'users') && html`<${TeamUsers} team=${team} sites=${sites} me=${session.name} fail=${fail} />`}
    ${
      managed.length === 0
        ? html`<p class="box muted">
            No site to manage yet: keys and links belong to a site the collector has seen or has configured.
          </p>`
        : html`<section class="box">
              <${LabelledField}
                label="Keys and links of"
                value=${current}
                choices=${managed.map((s) => ({ value: s, text: s }))}
                onValue=${setPicked}
              />
            </section>
            <${TeamKeys} key=${`k:${current}`} team=${team} site=${current} fail=${fail} />
            <${TeamLinks}
              key=${`l:${current}`}
              team=${team}
              site=${current}
              origin=${location.origin}
              fail=${fail}
            />`
    }
  </main>`;
}
