import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { linkOptions, SCOPES, shareUrl, when, type Scope, type TeamApi } from '../lib/team.ts';
import { LabelledField } from './labelled-field.ts';
import { ConfirmButton, CopyButton, useAction, useList, type OnFailure } from './team-kit.ts';

const checked = (e: Event) => (e.target as HTMLInputElement).checked;

const SCOPE_TEXT: Record<Scope, string> = {
  read: 'read: the query API, for scripts and reports',
  track: 'track: send events server-side',
};

/** A site's API keys: create with scopes (the key is shown once), revoke. */
export function TeamKeys({ team, site, fail }: { team: TeamApi; site: string; fail: OnFailure }) {
  const { items, error, reload } = useList(() => team.keys(site), site, fail);
  const { run, busy, line } = useAction(fail);
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Scope[]>(['read']);
  // The new key: the collector keeps only its hash, so this is the one time it can be read.
  const [fresh, setFresh] = useState<{ name: string; key: string } | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  const create = async (e: Event) => {
    e.preventDefault();
    const why = !name.trim()
      ? 'Name the key after what will use it.'
      : scopes.length === 0
        ? 'Pick a scope.'
        : null;
    setProblem(why);
    if (why) return;
    const made = await run(() => team.addKey(site, name.trim(), scopes), `Created the key ${name.trim()}.`);
    if (made) {
      setFresh({ name: name.trim(), key: made.key });
      setName('');
      reload();
    }
  };

  return html`<section class="box" aria-labelledby="team-keys" data-team-keys>
    <h2 id="team-keys">API keys for ${site}</h2>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${items === null && !error && html`<p class="muted" aria-busy="true">Loading…</p>`}
    ${items && items.length === 0 && html`<p class="muted">No API keys for this site.</p>`}
    ${
      items &&
      items.length > 0 &&
      html`<ul class="team-list">
        ${items.map(
          (k) =>
            html`<li class="team-item" data-key=${k.id}>
              <div class="team-line">
                <strong class="team-name">${k.name || k.id}</strong>
                <span class="muted">${(k.scopes ?? []).join(', ')}</span>
              </div>
              <div class="muted small">Created ${when(k.created)}</div>
              <div class="actions">
                <${ConfirmButton}
                  label="Revoke"
                  confirm=${`Revoke ${k.name || 'this key'}`}
                  disabled=${busy}
                  onConfirm=${async () => {
                    if (await run(() => team.revokeKey(k.id), `Revoked the key ${k.name || k.id}.`)) reload();
                  }}
                />
              </div>
            </li>`,
        )}
      </ul>`
    }
    ${
      fresh &&
      html`<div class="box badge-box" data-new-key>
        <p>The key ${fresh.name}, shown this once (the collector keeps only its hash):</p>
        <pre class="snippet"><code>${fresh.key}</code></pre>
        <${CopyButton} text=${fresh.key} label="Copy the key" />
        <button class="btn" type="button" onClick=${() => setFresh(null)}>Done</button>
      </div>`
    }
    ${line}
    <form class="editor" onSubmit=${create} data-add-key>
      <h3 class="subhead">Create a key</h3>
      <${LabelledField} label="Name" autocomplete="off" value=${name} onValue=${setName} />
      <fieldset class="scopes">
        <legend>Scopes</legend>
        ${SCOPES.map(
          (s) =>
            html`<label class="check"
              ><input
                type="checkbox"
                value=${s}
                checked=${scopes.includes(s)}
                onChange=${(e: Event) =>
                  setScopes(
                    checked(e) ? [...scopes.filter((x) => x !== s), s] : scopes.filter((x) => x !== s),
                  )}
              />${SCOPE_TEXT[s]}</label
            >`,
        )}
      </fieldset>
      ${problem && html`<p class="error" role="alert">${problem}</p>`}
      <button class="btn" type="submit" disabled=${busy}>Create key</button>
    </form>
  </section>`;
}

/** A site's public read-only links: create (password, expiry, users table), copy, revoke. */
export function TeamLinks({
  team,
  site,
  origin,
  fail,
  now = () => Date.now(),
}: {
  team: TeamApi;
  site: string;
  origin: string;
  fail: OnFailure;
  now?: () => number;
}) {
  const { items, error, reload } = useList(() => team.links(site), site, fail);
  const { run, busy, line } = useAction(fail);
  const [password, setPassword] = useState('');
  const [expires, setExpires] = useState('');
  const [showUsers, setShowUsers] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  const create = async (e: Event) => {
    e.preventDefault();
    const form = linkOptions({ password, expires, showUsers }, now());
    if ('problem' in form) return setProblem(form.problem);
    setProblem(null);
    if (await run(() => team.addLink(site, form.options), 'Created a public link: copy it below.')) {
      setPassword('');
      setExpires('');
      setShowUsers(false);
      reload();
    }
  };

  return html`<section class="box" aria-labelledby="team-links" data-team-links>
    <h2 id="team-links">Public links for ${site}</h2>
    <p class="muted">
      Anyone with a link sees this site's dashboard, read-only, and nothing else. The users table and user
      pages stay hidden unless you allow them.
    </p>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${items === null && !error && html`<p class="muted" aria-busy="true">Loading…</p>`}
    ${items && items.length === 0 && html`<p class="muted">No public links for this site.</p>`}
    ${
      items &&
      items.length > 0 &&
      html`<ul class="team-list">
        ${items.map((l) => {
          const url = shareUrl(origin, l);
          return html`<li class="team-item" data-link=${l.id}>
            <code class="share-url" data-share-url>${url}</code>
            <div class="muted small">
              ${l.has_password ? 'Password' : 'No password'} · expires ${when(l.expires)} ·
              ${l.show_users ? ' shows users' : ' users hidden'} · created ${when(l.created)}
            </div>
            <div class="actions">
              <${CopyButton} text=${url} label="Copy link" />
              <${ConfirmButton}
                label="Revoke"
                confirm="Revoke this link"
                disabled=${busy}
                onConfirm=${async () => {
                  if (await run(() => team.revokeLink(l.id), 'Revoked the link: it stops working at once.'))
                    reload();
                }}
              />
            </div>
          </li>`;
        })}
      </ul>`
    }
    ${line}
    <form class="editor" onSubmit=${create} data-add-link>
      <h3 class="subhead">Create a public link</h3>
      <${LabelledField}
        label="Password (optional)"
        type="password"
        autocomplete="new-password"
        value=${password}
        onValue=${setPassword}
      />
      <${LabelledField}
        label="Expires at the end of (optional, UTC)"
        type="date"
        value=${expires}
        onValue=${setExpires}
      />
      <label class="check"
        ><input type="checkbox" checked=${showUsers} onChange=${(e: Event) => setShowUsers(checked(e))} />Show
        the users table and user pages (they name identified users)</label
      >
      ${problem && html`<p class="error" role="alert">${problem}</p>`}
      <button class="btn" type="submit" disabled=${busy}>Create link</button>
    </form>
  </section>`;
}
