import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { formatChange, formatNumber } from '../lib/format.ts';
import type { PanelModel, TabModel } from '../lib/model.ts';
import { paginate, searchRows, type Row } from '../lib/table.ts';
import type { ViewFilterKey } from '../lib/url-state.ts';
import { downloadCsv } from './csv.ts';
import { display } from './format-value.ts';

/** A click on a row; `country` scopes a region or city to its country. */
export type OnFilter = (key: ViewFilterKey, value: string, country?: string) => void;

const TOP = 10;
const PAGE = 50;

/** Fetches every row of a tab (the model holds only the top of the list). */
export type LoadAll = (tab: TabModel) => Promise<Row[]>;

/**
 * A top list with tabs (countries → regions → cities…), proportional bars and CSV export.
 * "Show all" fetches the whole list and pages and searches through it; the CSV always holds
 * every row, whatever is on screen.
 */
export function Panel({
  panel,
  onFilter,
  loadAll,
  children,
}: {
  panel: PanelModel;
  onFilter: OnFilter;
  loadAll: LoadAll;
  /** drawn above the list of the first tab (the world map) */
  children?: unknown;
}) {
  const [tabId, setTab] = useState(panel.tabs[0]?.id ?? '');
  const [more, setMore] = useState(false);
  const [whole, setWhole] = useState<{ tab: TabModel; rows: Row[] } | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [q, setQ] = useState('');
  const [page, setPage] = useState(0);
  const tab = panel.tabs.find((t) => t.id === tabId) ?? panel.tabs[0];
  const complete = !!tab && tab.rows.length >= tab.total;
  const everything = !tab ? [] : complete ? tab.rows : whole?.tab === tab ? whole.rows : null;

  const fetchAll = async (t: TabModel): Promise<Row[]> => {
    if (t.rows.length >= t.total) return t.rows;
    if (whole?.tab === t) return whole.rows;
    setBusy(true);
    setProblem(null);
    try {
      const rows = await loadAll(t);
      setWhole({ tab: t, rows });
      return rows;
    } catch (error) {
      setProblem(error instanceof Error ? error.message : 'request failed');
      throw error;
    } finally {
      setBusy(false);
    }
  };
  // A refresh brings a new model: an open "Show all" fetches the new whole list again.
  useEffect(() => {
    if (more && tab && !everything && !busy) fetchAll(tab).catch(() => undefined);
  }, [more, tab]);

  const pick = (id: string) => {
    setTab(id);
    setMore(false);
    setQ('');
    setPage(0);
  };
  if (!tab) return null;
  const found = more ? searchRows(everything ?? tab.rows, q, ['label', 'key']) : tab.rows;
  const shown = more ? paginate(found, page, PAGE) : paginate(tab.rows, 0, TOP);
  const csv = () =>
    fetchAll(tab).then(
      (rows) => downloadCsv(`${panel.title} ${tab.label}`, csvColumns(tab, rows), rows),
      () => undefined,
    );
  return html`
    <section class="box" data-panel=${panel.id} aria-label=${panel.title} aria-busy=${busy}>
      <div class="box-head">
        <h2>${panel.title}</h2>
        <button class="link-btn" type="button" disabled=${busy} onClick=${csv}>Export CSV</button>
      </div>
      ${
        panel.tabs.length > 1 &&
        html`<div
          class="tabs"
          role="tablist"
          onKeyDown=${(e: KeyboardEvent) => moveTab(e, panel, tab.id, pick)}
        >
          ${panel.tabs.map(
            (t) =>
              html`<button
                type="button"
                role="tab"
                aria-selected=${t.id === tab.id}
                tabindex=${t.id === tab.id ? 0 : -1}
                onClick=${() => pick(t.id)}
              >
                ${t.label}
              </button>`,
          )}
        </div>`
      }
      ${tab === panel.tabs[0] && children}
      ${
        more &&
        html`<input
          class="search panel-search"
          type="search"
          placeholder=${`Search ${formatNumber(tab.total)} ${tab.label.toLowerCase()} rows`}
          aria-label=${`Search ${tab.label}`}
          value=${q}
          onInput=${(e: Event) => {
            setQ((e.target as HTMLInputElement).value);
            setPage(0);
          }}
        />`
      }
      ${problem && html`<p class="error" role="alert">${problem}</p>`}
      ${more && busy && html`<p class="muted" aria-busy="true">Loading all ${formatNumber(tab.total)} rows…</p>`}
      ${more && q && found.length === 0 ? html`<p class="empty">No row matches.</p>` : html`<${RowTable} tab=${tab} rows=${shown.rows} onFilter=${onFilter} />`}
      ${
        (tab.total > TOP || more) &&
        html`<div class="foot">
          ${
            more &&
            html`<span class="muted" data-rows-shown
              >${rangeText(shown.page * PAGE, shown.rows.length, q ? found.length : tab.total)}</span
            >`
          }
          ${
            more &&
            shown.pages > 1 &&
            html`<span>
              <button
                class="btn"
                type="button"
                disabled=${shown.page === 0}
                onClick=${() => setPage(shown.page - 1)}
              >
                Previous
              </button>
              <button
                class="btn"
                type="button"
                disabled=${shown.page >= shown.pages - 1}
                onClick=${() => setPage(shown.page + 1)}
              >
                Next
              </button>
            </span>`
          }
          <button
            class="link-btn"
            type="button"
            onClick=${() => {
              setMore(!more);
              setQ('');
              setPage(0);
            }}
          >
            ${more ? 'Show top 10' : `Show all ${formatNumber(tab.total)}`}
          </button>
        </div>`
      }
      ${panel.note && html`<p class="muted">${panel.note}</p>`}
    </section>
  `;
}

/** "51–100 of 228": which rows of the whole list are on screen. */
function rangeText(first: number, count: number, total: number): string {
  const span = count ? `${formatNumber(first + 1)}–${formatNumber(first + count)}` : '0';
  return `${span} of ${formatNumber(total)}`;
}

/** Left/right arrows move between tabs, as in any tab list (WAI-ARIA tabs pattern). */
function moveTab(e: KeyboardEvent, panel: PanelModel, current: string, pick: (id: string) => void): void {
  if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
  e.preventDefault();
  const i = panel.tabs.findIndex((t) => t.id === current);
  const next = (i + (e.key === 'ArrowRight' ? 1 : -1) + panel.tabs.length) % panel.tabs.length;
  pick(panel.tabs[next]!.id);
  const buttons = (e.currentTarget as HTMLElement).querySelectorAll<HTMLElement>('[role="tab"]');
  buttons[next]?.focus();
}

/**
 * CSV columns: a text column of prop sums ("matches_found: 14,836 · …", for reading) becomes one
 * numeric column per prop, which a spreadsheet can add up.
 */
export function csvColumns(tab: TabModel, rows: readonly Row[]): { key: string; label: string }[] {
  const props = [
    ...new Set(rows.flatMap((r) => Object.keys(r).filter((k) => k.startsWith('prop_sum:')))),
  ].sort();
  return [
    { key: 'label', label: tab.label },
    ...tab.columns.flatMap((c) =>
      c.key === 'sums'
        ? props.map((k) => ({ key: k, label: `${k.slice(9)} (sum)` }))
        : [{ key: c.key, label: c.label }],
    ),
  ];
}

function RowTable({ tab, rows, onFilter }: { tab: TabModel; rows: TabModel['rows']; onFilter: OnFilter }) {
  if (rows.length === 0) return html`<p class="empty">Nothing recorded in this period.</p>`;
  // Text columns (prop sums) read better as a line under the label than squeezed into a cell.
  const numeric = tab.columns.filter((c) => c.format !== 'text');
  const notes = tab.columns.filter((c) => c.format === 'text');
  const first = numeric[0]?.key ?? '';
  const max = Math.max(
    1,
    ...tab.rows.map((r) => Number(r[first]) || 0),
    ...rows.map((r) => Number(r[first]) || 0),
  );
  return html`
    <table class="list" data-tab=${tab.id}>
      <thead>
        <tr>
          <th scope="col">${tab.label}</th>
          ${numeric.map((c) => html`<th scope="col">${c.label}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${rows.map((row) => {
          const label = String(row.label ?? '');
          const key = String(row.key ?? '');
          const width = `${Math.round(((Number(row[first]) || 0) / max) * 100)}%`;
          const note = notes
            .map((c) => display(row[c.key], c.format))
            .filter(Boolean)
            .join(' · ');
          return html`<tr>
            <td title=${label}>
              <span class="bar" style=${{ width }}></span>
              ${
                tab.filter && key
                  ? html`<button
                      class="row-link"
                      type="button"
                      title=${`Filter by ${label}`}
                      onClick=${() => onFilter(tab.filter!, key, row.scope ? String(row.scope) : undefined)}
                    >
                      ${label}
                    </button>`
                  : html`<span class="row-text">${label}</span>`
              }
              ${note && html`<span class="row-note" title=${note}>${note}</span>`}
            </td>
            ${numeric.map((c) => html`<td>${display(row[c.key], c.format)}${rowChange(row, c)}</td>`)}
          </tr>`;
        })}
      </tbody>
    </table>
  `;
}

/** The change against the compared period beside a cell; rates in percentage points. */
function rowChange(row: Row, column: TabModel['columns'][number]) {
  const previous = row[`prev:${column.key}`];
  if (typeof previous !== 'number') return null;
  const change = formatChange(Number(row[column.key]) || 0, previous, {
    points: column.format === 'percent',
    lowerIsBetter: column.key === 'bounce_rate',
  });
  if (!change) return null;
  // Per row, a value absent before is simply new: the long card wording would crowd the cell.
  const text = change.text === 'no earlier data' ? 'new' : change.text;
  return html`<span
    class=${`row-change ${change.tone}`}
    data-change
    title=${`Compared period: ${display(previous, column.format)}`}
    >${text}</span
  >`;
}
