import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import type { FunnelResponse, FunnelStep, SavedFunnel } from '../../shared/api.ts';
import type { ApiClient } from '../lib/api.ts';
import { formatNumber, formatPercent } from '../lib/format.ts';
import { computeFunnel, deleteSaved, listFunnels, saveFunnel, STARTER_STEPS } from '../lib/saved.ts';
import { serializeState, type ViewState } from '../lib/url-state.ts';

const message = (e: unknown) => (e instanceof Error ? e.message : 'request failed');
const MAX_STEPS = 8;

/**
 * The site's saved funnels, each computed under the view's range and filters, and a builder for
 * new ones (2–8 steps of pages, actions or shares, an optional time window).
 */
export function SavedFunnels({
  api,
  view,
  editable = true,
}: {
  api: ApiClient;
  view: ViewState;
  /** false for who may only read the site: the funnels' figures without new, edit or delete */
  editable?: boolean;
}) {
  const [funnels, setFunnels] = useState<SavedFunnel[] | null>(null);
  const [results, setResults] = useState<Record<string, FunnelResponse | string>>({});
  const [editing, setEditing] = useState<SavedFunnel | 'new' | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const viewKey = serializeState(view);
  const reload = () => listFunnels(api, view.site).then(setFunnels, (e: unknown) => setProblem(message(e)));
  useEffect(() => {
    void reload();
  }, [api, view.site]);
  useEffect(() => {
    let live = true;
    for (const f of funnels ?? [])
      computeFunnel(api, view, f).then(
        (r) => live && setResults((prev) => ({ ...prev, [f.id]: r })),
        (e: unknown) => live && setResults((prev) => ({ ...prev, [f.id]: message(e) })),
      );
    return () => {
      live = false;
    };
  }, [api, viewKey, funnels]);

  return html`<section class="box" data-panel="saved-funnels" aria-label="Funnels">
    <div class="box-head">
      <h2>Funnels</h2>
      ${
        editable && view.site && !editing
          ? html`<button class="link-btn" type="button" data-new-funnel onClick=${() => setEditing('new')}>
              New funnel
            </button>`
          : null
      }
    </div>
    ${problem && html`<p class="error" role="alert">${problem}</p>`}
    ${
      editing &&
      editable &&
      html`<${FunnelForm}
        site=${view.site}
        initial=${editing === 'new' ? null : editing}
        onCancel=${() => setEditing(null)}
        onSave=${async (input: Parameters<typeof saveFunnel>[1]) => {
          await saveFunnel(api, input, editing === 'new' ? undefined : editing.id);
          setEditing(null);
          await reload();
        }}
      />`
    }
    ${!view.site && editable && html`<p class="muted">Pick a site to define a funnel; all sites' funnels are listed here.</p>`}
    ${funnels && funnels.length === 0 && view.site && !editing && html`<p class="empty">No saved funnel yet.</p>`}
    ${(funnels ?? []).map((f) => {
      const result = results[f.id];
      return html`<div class="saved-funnel" data-funnel=${f.name}>
        <div class="box-head">
          <h3>${f.name}${view.site ? '' : html` <span class="muted">· ${f.site}</span>`}</h3>
          ${
            editable &&
            html`<span>
              <button class="link-btn" type="button" onClick=${() => setEditing(f)}>Edit</button>
              <button
                class="link-btn"
                type="button"
                aria-label=${`Delete funnel ${f.name}`}
                onClick=${() => deleteSaved(api, 'funnels', f.id).then(reload, (e: unknown) => setProblem(message(e)))}
              >
                Delete
              </button>
            </span>`
          }
        </div>
        ${
          typeof result === 'string'
            ? html`<p class="error" role="alert">${result}</p>`
            : !result
              ? html`<p class="empty" aria-busy="true">Loading…</p>`
              : result.steps.map(
                  (s, i) =>
                    html`<div class="funnel-step" data-step=${i + 1}>
                      <span>${i + 1}. ${s.label}</span>
                      <span
                        ><strong data-step-visitors>${formatNumber(s.visitors)}</strong>
                        <span class="muted">${` · ${formatPercent(s.conversion_rate)}`}</span></span
                      >
                      <div class="funnel-bar">
                        <div style=${{ width: `${Math.max(0, Math.min(100, s.conversion_rate))}%` }}></div>
                      </div>
                      ${i > 0 && html`<span class="muted">−${formatNumber(s.drop_off)} (${formatPercent(s.drop_off_rate)} dropped)</span>`}
                    </div>`,
                )
        }
      </div>`;
    })}
  </section>`;
}

function FunnelForm({
  site,
  initial,
  onSave,
  onCancel,
}: {
  site: string;
  initial: SavedFunnel | null;
  onSave: (input: {
    site: string;
    name: string;
    steps: FunnelStep[];
    window_minutes: number | null;
  }) => Promise<void>;
  onCancel: () => void;
}) {
  const [name, setName] = useState(initial?.name ?? '');
  const [steps, setSteps] = useState<FunnelStep[]>(initial?.steps ?? STARTER_STEPS);
  const [windowText, setWindow] = useState(initial?.window_minutes ? String(initial.window_minutes) : '');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const change = (i: number, step: FunnelStep) => setSteps(steps.map((s, k) => (k === i ? step : s)));

  const submit = async (e: Event) => {
    e.preventDefault();
    const clean = steps.map((s): FunnelStep => {
      const value = (s.value ?? '').trim();
      if (s.type === 'share') return value ? { type: 'share', value } : { type: 'share' };
      return { type: s.type, value };
    });
    if (!name.trim()) return setProblem('Name the funnel.');
    const empty = clean.findIndex((s) => s.type !== 'share' && !s.value);
    if (empty >= 0) return setProblem(`Step ${empty + 1} needs a page or an action name.`);
    const minutes = windowText.trim() ? Number(windowText) : null;
    if (minutes !== null && (!Number.isInteger(minutes) || minutes < 1))
      return setProblem('The time window is a whole number of minutes.');
    setBusy(true);
    try {
      await onSave({ site, name: name.trim(), steps: clean, window_minutes: minutes });
    } catch (error) {
      setProblem(message(error));
    } finally {
      setBusy(false);
    }
  };

  return html`<form class="funnel-form" data-funnel-form onSubmit=${submit}>
    <label
      >Name
      <input
        data-funnel-name
        value=${name}
        maxlength="100"
        onInput=${(e: Event) => setName((e.target as HTMLInputElement).value)}
    /></label>
    <ol class="funnel-steps">
      ${steps.map(
        (s, i) =>
          html`<li data-step-editor=${i + 1}>
            <select
              aria-label=${`Step ${i + 1} type`}
              value=${s.type}
              onChange=${(e: Event) => change(i, { type: (e.target as HTMLSelectElement).value as FunnelStep['type'], value: s.value ?? '' } as FunnelStep)}
            >
              <option value="page" selected=${s.type === 'page'}>Page</option>
              <option value="action" selected=${s.type === 'action'}>Action</option>
              <option value="share" selected=${s.type === 'share'}>Share</option>
            </select>
            <input
              aria-label=${`Step ${i + 1} value`}
              value=${s.value ?? ''}
              placeholder=${s.type === 'page' ? '/pricing or * for any page' : s.type === 'action' ? 'photo_processed' : 'any channel, or whatsapp'}
              onInput=${(e: Event) => change(i, { ...s, value: (e.target as HTMLInputElement).value } as FunnelStep)}
            />
            ${
              steps.length > 2 &&
              html`<button
                type="button"
                class="link-btn"
                aria-label=${`Remove step ${i + 1}`}
                onClick=${() => setSteps(steps.filter((_, k) => k !== i))}
              >
                ×
              </button>`
            }
          </li>`,
      )}
    </ol>
    ${
      steps.length < MAX_STEPS &&
      html`<button
        class="link-btn"
        type="button"
        data-add-step
        onClick=${() => setSteps([...steps, { type: 'action', value: '' }])}
      >
        + Step
      </button>`
    }
    <label
      >Within (minutes, empty: one visit)
      <input
        inputmode="numeric"
        data-funnel-window
        value=${windowText}
        onInput=${(e: Event) => setWindow((e.target as HTMLInputElement).value)}
    /></label>
    ${problem && html`<p class="error" role="alert">${problem}</p>`}
    <div class="row-actions">
      <button class="btn primary" type="submit" disabled=${busy} data-save-funnel>Save funnel</button>
      <button class="btn" type="button" onClick=${onCancel}>Cancel</button>
    </div>
  </form>`;
}
