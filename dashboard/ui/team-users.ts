import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { describeRoles, type Role } from '../lib/session.ts';
import {
  newUserProblem,
  roleRows,
  rolesFor,
  rowsToRoles,
  when,
  type RoleRow,
  type TeamApi,
  type TeamUser,
} from '../lib/team.ts';
import { LabelledField } from './labelled-field.ts';
import { ConfirmButton, useAction, useList, type OnFailure } from './team-kit.ts';

const siteLabel = (site: string) => (site === '*' ? 'Every site' : site);

/** One role line: the site and the role on it (owner only on every site). */
function RoleLine({
  row,
  sites,
  onChange,
  onRemove,
}: {
  row: RoleRow;
  sites: readonly string[];
  onChange: (row: RoleRow) => void;
  onRemove?: () => void;
}) {
  const choices = [
    '*',
    ...sites,
    ...(row.site && row.site !== '*' && !sites.includes(row.site) ? [row.site] : []),
  ];
  return html`<div class="role-line">
    <${LabelledField}
      label="Site"
      hideLabel
      value=${row.site}
      choices=${choices.map((s) => ({ value: s, text: siteLabel(s) }))}
      onValue=${(site: string) =>
        onChange({ site, role: rolesFor(site).includes(row.role) ? row.role : 'viewer' })}
    />
    <${LabelledField}
      label="Role"
      hideLabel
      value=${row.role}
      choices=${rolesFor(row.site).map((r) => ({ value: r, text: r }))}
      onValue=${(role: string) => onChange({ ...row, role: role as Role })}
    />
    ${onRemove && html`<button class="btn" type="button" onClick=${onRemove}>Remove role</button>`}
  </div>`;
}

/** Edits a user's roles; saving sends them all at once. */
function RolesEditor({
  initial,
  sites,
  busy,
  onSave,
  onCancel,
}: {
  initial: RoleRow[];
  sites: readonly string[];
  busy: boolean;
  onSave: (rows: RoleRow[]) => void;
  onCancel: () => void;
}) {
  const [rows, setRows] = useState(initial);
  const [problem, setProblem] = useState<string | null>(null);
  return html`<div class="editor" data-roles-editor>
    ${rows.map(
      (row, i) =>
        html`<${RoleLine}
          row=${row}
          sites=${sites}
          onChange=${(next: RoleRow) => setRows(rows.map((r, j) => (j === i ? next : r)))}
          onRemove=${() => setRows(rows.filter((_, j) => j !== i))}
        />`,
    )}
    ${problem && html`<p class="error" role="alert">${problem}</p>`}
    <div class="actions">
      <button
        class="btn"
        type="button"
        onClick=${() => setRows([...rows, { site: sites.find((s) => !rows.some((r) => r.site === s)) ?? '*', role: 'viewer' }])}
      >
        Add a role
      </button>
      <button
        class="btn"
        type="button"
        disabled=${busy}
        onClick=${() => {
          const checked = rowsToRoles(rows);
          setProblem('problem' in checked ? checked.problem : null);
          if (!('problem' in checked)) onSave(rows);
        }}
      >
        Save roles
      </button>
      <button class="btn" type="button" onClick=${onCancel}>Cancel</button>
    </div>
  </div>`;
}

/** The owner's list of accounts: add, change roles, reset a password, remove. */
export function TeamUsers({
  team,
  sites,
  me,
  fail,
}: {
  team: TeamApi;
  sites: readonly string[];
  /** the signed-in account, which cannot remove itself here */
  me: string | null;
  fail: OnFailure;
}) {
  const { items, error, reload } = useList(team.users, 'users', fail);
  const { run, busy, line } = useAction(fail);
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [first, setFirst] = useState<RoleRow>({ site: sites[0] ?? '*', role: 'viewer' });
  const [problem, setProblem] = useState<string | null>(null);
  // Which user's roles or password is being edited.
  const [editing, setEditing] = useState<{ user: string; what: 'roles' | 'password' } | null>(null);
  const [newPassword, setNewPassword] = useState('');

  const add = async (e: Event) => {
    e.preventDefault();
    const why = newUserProblem(name, password);
    setProblem(why);
    if (why) return;
    const checked = rowsToRoles([first]);
    if ('problem' in checked) return setProblem(checked.problem);
    const done = await run(() => team.addUser(name.trim(), password, checked.roles), `Added ${name.trim()}.`);
    if (done) {
      setName('');
      setPassword('');
      reload();
    }
  };

  const row = (u: TeamUser) => {
    const open = editing?.user === u.name ? editing.what : null;
    return html`<li class="team-item" data-team-user=${u.name}>
      <div class="team-line">
        <strong class="team-name">${u.name}</strong>
        <span class="muted">${describeRoles(u.roles)}</span>
      </div>
      <div class="muted small">Added ${when(u.created)} · last sign-in ${when(u.last_login)}</div>
      ${
        open === 'roles'
          ? html`<${RolesEditor}
              initial=${roleRows(u.roles)}
              sites=${sites}
              busy=${busy}
              onCancel=${() => setEditing(null)}
              onSave=${async (rows: RoleRow[]) => {
                const checked = rowsToRoles(rows);
                if ('problem' in checked) return;
                if (
                  await run(() => team.setRoles(u.name, checked.roles), `Changed the roles of ${u.name}.`)
                ) {
                  setEditing(null);
                  reload();
                }
              }}
            />`
          : open === 'password'
            ? html`<form
                class="editor"
                onSubmit=${async (e: Event) => {
                  e.preventDefault();
                  if (!newPassword) return;
                  const done = await run(
                    () => team.setPassword(u.name, newPassword),
                    `New password set for ${u.name}; their sessions are signed out.`,
                  );
                  if (done) {
                    setNewPassword('');
                    setEditing(null);
                  }
                }}
              >
                <${LabelledField}
                  label=${`New password for ${u.name}`}
                  type="password"
                  autocomplete="new-password"
                  value=${newPassword}
                  onValue=${setNewPassword}
                />
                <div class="actions">
                  <button class="btn" type="submit" disabled=${busy}>Set password</button>
                  <button class="btn" type="button" onClick=${() => setEditing(null)}>Cancel</button>
                </div>
              </form>`
            : html`<div class="actions">
                <button
                  class="btn"
                  type="button"
                  onClick=${() => setEditing({ user: u.name, what: 'roles' })}
                >
                  Change roles
                </button>
                <button
                  class="btn"
                  type="button"
                  onClick=${() => setEditing({ user: u.name, what: 'password' })}
                >
                  Reset password
                </button>
                ${
                  u.name !== me &&
                  html`<${ConfirmButton}
                    label="Remove"
                    confirm=${`Remove ${u.name}`}
                    disabled=${busy}
                    onConfirm=${async () => {
                      if (
                        await run(
                          () => team.removeUser(u.name),
                          `Removed ${u.name}; their sessions are signed out.`,
                        )
                      )
                        reload();
                    }}
                  />`
                }
              </div>`
      }
    </li>`;
  };

  return html`<section class="box" aria-labelledby="team-users" data-team-users>
    <h2 id="team-users">People</h2>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${items === null && !error && html`<p class="muted" aria-busy="true">Loading…</p>`}
    ${items && items.length === 0 && html`<p class="muted">No accounts yet: only the admin token signs in.</p>`}
    ${
      items &&
      items.length > 0 &&
      html`<ul class="team-list">
        ${items.map(row)}
      </ul>`
    }
    ${line}
    <form class="editor" onSubmit=${add} data-add-user>
      <h3 class="subhead">Add a colleague</h3>
      <${LabelledField}
        label="Username"
        autocomplete="off"
        autocapitalize="none"
        value=${name}
        onValue=${setName}
      />
      <${LabelledField}
        label="Password"
        type="password"
        autocomplete="new-password"
        value=${password}
        onValue=${setPassword}
      />
      <${RoleLine} row=${first} sites=${sites} onChange=${setFirst} />
      ${problem && html`<p class="error" role="alert">${problem}</p>`}
      <button class="btn" type="submit" disabled=${busy}>Add</button>
    </form>
  </section>`;
}
