import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { GOAL_CONDITION_OPS, type Goal, type GoalFigures, type GoalsResponse } from '../../shared/api.ts';
import type { ApiClient } from '../lib/api.ts';
import { formatNumber } from '../lib/format.ts';
import { goalText } from '../lib/goals.ts';
import { API } from '../lib/queries.ts';
import { display } from './format-value.ts';
import { SitePicker } from './site-picker.ts';

const OP_WORDS: Record<(typeof GOAL_CONDITION_OPS)[number], string> = {
  is: 'is',
  is_not: 'is not',
  contains: 'contains',
  gt: '>',
  gte: '≥',
  lt: '<',
  lte: '≤',
};

/**
 * The goals of the view's site with their visitors, conversions and rate; a click selects one (a
 * conversion-rate column then shows in every breakdown), and the form defines a new one.
 */
export function Goals({
  api,
  data,
  error,
  site,
  sites,
  selected,
  onSelect,
  onChanged,
  editable = true,
}: {
  api: ApiClient;
  data: GoalsResponse | null;
  error: string | null;
  /** the view's site; '' on "All sites" (the form then asks which site) */
  site: string;
  sites: string[];
  selected: string;
  onSelect: (id: string) => void;
  onChanged: () => void;
  /** false for who may only read the site (a viewer, a public link): no add or delete */
  editable?: boolean;
}) {
  const [adding, setAdding] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const goals = data?.goals ?? [];
  const remove = async (goal: Goal) => {
    setProblem(null);
    try {
      await api.send('DELETE', API.goal(goal.id));
      if (goal.id === selected) onSelect('');
      onChanged();
    } catch (e) {
      setProblem(e instanceof Error ? e.message : 'could not delete the goal');
    }
  };
  return html`<section class="box" data-panel="goals" aria-label="Goals">
    <div class="box-head">
      <h2>Goals</h2>
      ${
        editable &&
        html`<button
          class="link-btn"
          type="button"
          aria-expanded=${adding}
          onClick=${() => setAdding(!adding)}
        >
          ${adding ? 'Cancel' : 'Add goal'}
        </button>`
      }
    </div>
    ${
      adding &&
      editable &&
      html`<${GoalForm}
        api=${api}
        site=${site}
        sites=${sites}
        onSaved=${() => {
          setAdding(false);
          onChanged();
        }}
      />`
    }
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${problem && html`<p class="error" role="alert">${problem}</p>`}
    ${
      goals.length === 0
        ? html`<p class="empty">
            No goal yet. A goal is a page (with * wildcards), an action (optionally where a property passes a
            test) or a share.
          </p>`
        : html`<table class="list goals">
            <thead>
              <tr>
                <th scope="col">Goal</th>
                <th scope="col">Conversions</th>
                <th scope="col">Conv. rate</th>
                ${editable && html`<th scope="col"><span class="sr-only">Delete</span></th>`}
              </tr>
            </thead>
            <tbody>
              ${goals.map((g) => html`<${GoalRow} goal=${g} site=${site} selected=${g.id === selected} onSelect=${onSelect} onRemove=${editable ? remove : null} />`)}
            </tbody>
          </table>`
    }
    ${
      selected &&
      !goals.some((g) => g.id === selected) &&
      data &&
      html`<p class="muted">The selected goal does not exist here any more.</p>`
    }
    ${goals.length > 0 && html`<p class="muted">Pick a goal to add its conversion rate to every breakdown.</p>`}
  </section>`;
}

function GoalRow({
  goal,
  site,
  selected,
  onSelect,
  onRemove,
}: {
  goal: Goal & GoalFigures;
  site: string;
  selected: boolean;
  onSelect: (id: string) => void;
  /** null: the row has no delete button */
  onRemove: ((goal: Goal) => void) | null;
}) {
  return html`<tr data-goal=${goal.id} class=${selected ? 'picked' : ''}>
    <td>
      <button
        class="row-link"
        type="button"
        aria-pressed=${selected}
        title=${selected ? 'Stop showing its conversion rate' : 'Show its conversion rate in every breakdown'}
        onClick=${() => onSelect(selected ? '' : goal.id)}
      >
        ${goal.name}
      </button>
      <span class="row-note">${goalText(goal)}${site ? '' : ` · ${goal.site}`}</span>
    </td>
    <td>${formatNumber(goal.conversions)} / ${formatNumber(goal.visitors)}</td>
    <td data-rate>${display(goal.conversion_rate, 'percent')}</td>
    ${
      onRemove &&
      html`<td>
        <button
          class="link-btn"
          type="button"
          aria-label=${`Delete goal ${goal.name}`}
          onClick=${() => onRemove(goal)}
        >
          Delete
        </button>
      </td>`
    }
  </tr>`;
}

function GoalForm({
  api,
  site,
  sites,
  onSaved,
}: {
  api: ApiClient;
  site: string;
  sites: string[];
  onSaved: () => void;
}) {
  const [type, setType] = useState<'page' | 'action' | 'share'>('page');
  const [name, setName] = useState('');
  const [target, setTarget] = useState('');
  const [prop, setProp] = useState('');
  const [op, setOp] = useState<(typeof GOAL_CONDITION_OPS)[number]>('gt');
  const [value, setValue] = useState('');
  const [forSite, setForSite] = useState(site || sites[0] || '');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const input = (set: (v: string) => void) => (e: Event) => set((e.target as HTMLInputElement).value);

  const submit = async (e: Event) => {
    e.preventDefault();
    setProblem(null);
    const numeric = ['gt', 'gte', 'lt', 'lte'].includes(op) && value.trim() !== '';
    const body = {
      site: site || forSite,
      name,
      type,
      ...(type === 'page' ? { page: target } : {}),
      ...(type === 'action'
        ? {
            action: target,
            ...(prop ? { condition: { prop, op, value: numeric ? Number(value) : value } } : {}),
          }
        : {}),
      ...(type === 'share' && target ? { channel: target } : {}),
    };
    setBusy(true);
    try {
      await api.send('POST', API.goals, body);
      onSaved();
    } catch (error) {
      setProblem(error instanceof Error ? error.message : 'could not save the goal');
    } finally {
      setBusy(false);
    }
  };
  const placeholder = { page: '/pricing or /blog/*', action: 'search_performed', share: 'any channel' }[type];
  return html`<form class="stack-form" data-goal-form onSubmit=${submit}>
    ${!site && html`<${SitePicker} sites=${sites} value=${forSite} onChange=${setForSite} />`}
    <label
      >Name <input required maxlength="100" value=${name} onInput=${input(setName)} name="goal-name"
    /></label>
    <label
      >Counts
      <select name="goal-type" value=${type} onChange=${input((v) => setType(v as typeof type))}>
        <option value="page">a page view</option>
        <option value="action">an action</option>
        <option value="share">a share</option>
      </select>
    </label>
    <label
      >${type === 'page' ? 'Page' : type === 'action' ? 'Action' : 'Channel (optional)'}
      <input
        name="goal-target"
        required=${type !== 'share'}
        maxlength=${type === 'page' ? 500 : 200}
        placeholder=${placeholder}
        value=${target}
        onInput=${input(setTarget)}
      />
    </label>
    ${
      type === 'action' &&
      html`<fieldset class="condition">
        <legend>Only where (optional)</legend>
        <input
          name="goal-prop"
          aria-label="Property"
          placeholder="matches_found"
          value=${prop}
          onInput=${input(setProp)}
        />
        <select name="goal-op" aria-label="Test" value=${op} onChange=${input((v) => setOp(v as typeof op))}>
          ${GOAL_CONDITION_OPS.map((o) => html`<option value=${o}>${OP_WORDS[o]}</option>`)}
        </select>
        <input
          name="goal-value"
          aria-label="Value"
          placeholder="0"
          value=${value}
          onInput=${input(setValue)}
        />
      </fieldset>`
    }
    ${problem && html`<p class="error" role="alert">${problem}</p>`}
    <button class="btn" type="submit" disabled=${busy}>Save goal</button>
  </form>`;
}
