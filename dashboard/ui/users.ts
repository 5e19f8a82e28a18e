import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { formatDuration, formatNumber } from '../lib/format.ts';
import { paginate, searchRows, sortRows, type Column, type Row, type SortDir } from '../lib/table.ts';
import { downloadCsv } from './csv.ts';
import { display } from './format-value.ts';
import type { ValueFormat } from '../lib/model.ts';

const COLUMNS: { key: string; label: string; format: ValueFormat }[] = [
  { key: 'user', label: 'User', format: 'text' },
  { key: 'sessions', label: 'Sessions', format: 'number' },
  { key: 'pageviews', label: 'Views', format: 'number' },
  { key: 'total_time', label: 'Time', format: 'duration' },
  { key: 'actions', label: 'Actions', format: 'number' },
  { key: 'shares', label: 'Shares', format: 'number' },
  { key: 'last_seen', label: 'Last seen (UTC)', format: 'time' },
];
const PAGE = 20;

/**
 * The users table as a spreadsheet reads it: times as ISO 8601 UTC, time spent both readable
 * and in whole seconds, rather than epoch milliseconds and seconds with decimals.
 */
export function usersCsv(rows: readonly Row[]): { columns: Column[]; rows: Row[] } {
  const iso = (v: Row[string]) => (typeof v === 'number' && v > 0 ? new Date(v).toISOString() : '');
  return {
    columns: [
      { key: 'user', label: 'User' },
      { key: 'sessions', label: 'Sessions' },
      { key: 'pageviews', label: 'Views' },
      { key: 'time', label: 'Time' },
      { key: 'seconds', label: 'Time (seconds)' },
      { key: 'actions', label: 'Actions' },
      { key: 'shares', label: 'Shares' },
      { key: 'first_seen', label: 'First seen (UTC)' },
      { key: 'last_seen', label: 'Last seen (UTC)' },
    ],
    rows: rows.map((r) => ({
      ...r,
      time: formatDuration(Number(r.total_time) || 0),
      seconds: Math.round(Number(r.total_time) || 0),
      first_seen: iso(r.first_seen),
      last_seen: iso(r.last_seen),
    })),
  };
}

/** Per-user engagement: sortable, searchable by user id, paginated; a click opens the user. */
export function Users({
  rows,
  total,
  error,
  onOpen,
}: {
  rows: Row[] | null;
  /** users in the view, when the API sent only the newest of them */
  total: number;
  error: string | null;
  onOpen: (user: string) => void;
}) {
  const [q, setQ] = useState('');
  const [sort, setSort] = useState<{ key: string; dir: SortDir }>({ key: 'last_seen', dir: 'desc' });
  const [page, setPage] = useState(0);
  const found = sortRows(searchRows(rows ?? [], q, ['user']), sort.key, sort.dir);
  const view = paginate(found, page, PAGE);
  const toggle = (key: string) => {
    setSort(
      sort.key === key
        ? { key, dir: sort.dir === 'asc' ? 'desc' : 'asc' }
        : { key, dir: key === 'user' ? 'asc' : 'desc' },
    );
    setPage(0);
  };
  return html`<section class="box" data-panel="users" aria-label="User activity">
    <div class="box-head">
      <h2>User activity</h2>
      <input
        class="search"
        type="search"
        placeholder="Search user id"
        aria-label="Search user id"
        value=${q}
        onInput=${(e: Event) => {
          setQ((e.target as HTMLInputElement).value);
          setPage(0);
        }}
      />
      <button
        class="link-btn"
        type="button"
        onClick=${() => {
          const csv = usersCsv(found);
          downloadCsv('Users', csv.columns, csv.rows);
        }}
      >
        Export CSV
      </button>
    </div>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${!rows && !error && html`<p class="empty">Loading…</p>`}
    ${rows && found.length === 0 && html`<p class="empty">${q ? 'No user id matches.' : 'No identified users in this period (cfa("identify", id) ties visits to a user).'}</p>`}
    ${
      found.length > 0 &&
      html`<div class="scroll-x">
          <table class="list users">
            <thead>
              <tr>
                ${COLUMNS.map(
                  (c) =>
                    html`<th
                      scope="col"
                      aria-sort=${sort.key === c.key ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}
                    >
                      <button type="button" onClick=${() => toggle(c.key)}>
                        ${c.label}${sort.key === c.key ? (sort.dir === 'asc' ? ' ↑' : ' ↓') : ''}
                      </button>
                    </th>`,
                )}
              </tr>
            </thead>
            <tbody>
              ${view.rows.map(
                (row) =>
                  html`<tr>
                    <td>
                      <button
                        class="row-link"
                        type="button"
                        data-user=${String(row.user)}
                        onClick=${() => onOpen(String(row.user))}
                      >
                        ${String(row.user)}
                      </button>
                    </td>
                    ${COLUMNS.slice(1).map((c) => html`<td>${display(row[c.key], c.format)}</td>`)}
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>
        <div class="foot">
          <span class="muted"
            >${`${formatNumber(view.total)} users · page ${view.page + 1} of ${view.pages}`}${
              !q && rows && total > rows.length
                ? ` · the newest ${formatNumber(rows.length)} of ${formatNumber(total)}`
                : ''
            }</span
          >
          <span>
            <button
              class="btn"
              type="button"
              disabled=${view.page === 0}
              onClick=${() => setPage(view.page - 1)}
            >
              Previous
            </button>
            <button
              class="btn"
              type="button"
              disabled=${view.page >= view.pages - 1}
              onClick=${() => setPage(view.page + 1)}
            >
              Next
            </button>
          </span>
        </div>`
    }
  </section>`;
}
