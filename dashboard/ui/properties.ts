import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import type { PropertiesResponse, PropertyBreakdown } from '../../shared/api.ts';
import type { ApiClient } from '../lib/api.ts';
import { formatNumber } from '../lib/format.ts';
import { loadProperties } from '../lib/saved.ts';
import { serializeState, type ViewFilterKey, type ViewState } from '../lib/url-state.ts';

/**
 * One action broken down by each of its props: values with count and visitors (a click filters
 * on the value), and for numbers the sum, average and a histogram.
 */
export function Properties({
  api,
  view,
  actions,
  onFilter,
}: {
  api: ApiClient;
  view: ViewState;
  /** the action names of the view, most frequent first */
  actions: string[];
  onFilter: (key: ViewFilterKey, value: string) => void;
}) {
  const [action, setAction] = useState('');
  const [data, setData] = useState<PropertiesResponse | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const chosen = action || actions[0] || '';
  const viewKey = serializeState(view);
  useEffect(() => {
    if (!chosen) return;
    let live = true;
    setProblem(null);
    loadProperties(api, view, chosen).then(
      (answer) => live && setData(answer),
      (e: unknown) => live && setProblem(e instanceof Error ? e.message : 'request failed'),
    );
    return () => {
      live = false;
    };
  }, [api, viewKey, chosen]);

  return html`<section class="box" data-panel="properties" aria-label="Action properties">
    <div class="box-head">
      <h2>Action properties</h2>
      ${
        actions.length > 0 &&
        html`<select
          data-properties-action
          aria-label="Action"
          value=${chosen}
          onChange=${(e: Event) => setAction((e.target as HTMLSelectElement).value)}
        >
          ${actions.map((a) => html`<option value=${a} selected=${a === chosen}>${a}</option>`)}
        </select>`
      }
    </div>
    ${problem && html`<p class="error" role="alert">${problem}</p>`}
    ${
      !chosen
        ? html`<p class="empty">No actions in this period.</p>`
        : !data || data.action !== chosen
          ? html`<p class="empty" aria-busy="true">Loading…</p>`
          : data.properties.length === 0
            ? html`<p class="empty">${chosen} carries no properties in this period.</p>`
            : data.properties.map((p) => html`<${Property} prop=${p} onFilter=${onFilter} />`)
    }
  </section>`;
}

function Property({
  prop,
  onFilter,
}: {
  prop: PropertyBreakdown;
  onFilter: (key: ViewFilterKey, value: string) => void;
}) {
  const n = prop.numeric;
  const top = Math.max(1, ...(n?.histogram.map((b) => b.count) ?? [1]));
  return html`<div class="property" data-property=${prop.key}>
    <h3>
      ${prop.key}
      <span class="muted"
        >· ${formatNumber(prop.count)} records, ${formatNumber(prop.visitors)} visitors</span
      >
    </h3>
    ${
      n &&
      html`<p class="muted" data-numeric>
          ${`Sum ${formatNumber(n.sum)} · Average ${formatNumber(n.avg)} · Min ${formatNumber(n.min)} · Max ${formatNumber(n.max)}`}
        </p>
        <div class="histogram" data-histogram role="img" aria-label=${`Distribution of ${prop.key}`}>
          ${n.histogram.map(
            (b) =>
              html`<div class="hist-bar" title=${`${b.from} to ${b.to}: ${b.count}`}>
                <span style=${{ height: `${Math.round((b.count / top) * 100)}%` }}></span>
                <small>${formatNumber(b.from)}</small>
              </div>`,
          )}
        </div>`
    }
    <table class="list">
      <thead>
        <tr>
          <th scope="col">Value</th>
          <th scope="col">Count</th>
          <th scope="col">Visitors</th>
        </tr>
      </thead>
      <tbody>
        ${prop.values.map(
          (v) =>
            html`<tr>
              <td>
                <button
                  class="row-link"
                  type="button"
                  title=${`Filter by ${prop.key} = ${v.value}`}
                  onClick=${() => onFilter(`prop.${prop.key}`, v.value)}
                >
                  ${v.value}
                </button>
              </td>
              <td>${formatNumber(v.count)}</td>
              <td>${formatNumber(v.visitors)}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    ${prop.total_values > prop.values.length && html`<p class="muted">${formatNumber(prop.total_values - prop.values.length)} more values</p>`}
  </div>`;
}
