import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import type { PanelModel, TabModel } from '../lib/model.ts';
import { paginate } from '../lib/table.ts';
import type { FilterKey } from '../lib/url-state.ts';
import { downloadCsv } from './csv.ts';
import { display } from './format-value.ts';

export type OnFilter = (key: FilterKey, value: string) => void;

const PAGE = 10;

/** A top-N list with tabs (countries → regions → cities…), proportional bars and CSV export. */
export function Panel({
  panel,
  onFilter,
  children,
}: {
  panel: PanelModel;
  onFilter: OnFilter;
  /** drawn above the list of the first tab (the world map) */
  children?: unknown;
}) {
  const [tabId, setTab] = useState(panel.tabs[0]?.id ?? '');
  const [more, setMore] = useState(false);
  const tab = panel.tabs.find((t) => t.id === tabId) ?? panel.tabs[0];
  const pick = (id: string) => {
    setTab(id);
    setMore(false);
  };
  if (!tab) return null;
  const rows = more ? tab.rows : paginate(tab.rows, 0, PAGE).rows;
  return html`
    <section class="box" data-panel=${panel.id} aria-label=${panel.title}>
      <div class="box-head">
        <h2>${panel.title}</h2>
        <button
          class="link-btn"
          type="button"
          onClick=${() => downloadCsv(`${panel.title} ${tab.label}`, csvColumns(tab), tab.rows)}
        >
          Export CSV
        </button>
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
      <${RowTable} tab=${tab} rows=${rows} onFilter=${onFilter} />
      ${
        tab.rows.length > PAGE &&
        html`<div class="foot">
          <button class="link-btn" type="button" onClick=${() => setMore(!more)}>
            ${more ? 'Show top 10' : `Show all ${tab.rows.length}`}
          </button>
        </div>`
      }
      ${panel.note && html`<p class="muted">${panel.note}</p>`}
    </section>
  `;
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

function csvColumns(tab: TabModel) {
  return [{ key: 'label', label: tab.label }, ...tab.columns.map((c) => ({ key: c.key, label: c.label }))];
}

function RowTable({ tab, rows, onFilter }: { tab: TabModel; rows: TabModel['rows']; onFilter: OnFilter }) {
  if (rows.length === 0) return html`<p class="empty">Nothing recorded in this period.</p>`;
  // Text columns (prop sums) read better as a line under the label than squeezed into a cell.
  const numeric = tab.columns.filter((c) => c.format !== 'text');
  const notes = tab.columns.filter((c) => c.format === 'text');
  const first = numeric[0]?.key ?? '';
  const max = Math.max(1, ...tab.rows.map((r) => Number(r[first]) || 0));
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
                      onClick=${() => onFilter(tab.filter!, key)}
                    >
                      ${label}
                    </button>`
                  : html`<span class="row-text">${label}</span>`
              }
              ${note && html`<span class="row-note" title=${note}>${note}</span>`}
            </td>
            ${numeric.map((c) => html`<td>${display(row[c.key], c.format)}</td>`)}
          </tr>`;
        })}
      </tbody>
    </table>
  `;
}
