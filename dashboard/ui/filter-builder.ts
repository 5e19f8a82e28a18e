import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import {
  FILTER_DIMENSIONS,
  FILTER_LABELS,
  NUMERIC_OPS,
  type Filter,
  type FilterKey,
  type FilterOp,
  type ViewFilterKey,
} from '../lib/url-state.ts';

const OPS: [FilterOp, string][] = [
  ['is', 'is'],
  ['is_not', 'is not'],
  ['contains', 'contains'],
  ['gt', '>'],
  ['gte', '≥'],
  ['lt', '<'],
  ['lte', '≤'],
];
const PROPERTY = 'prop';

/**
 * Builds one filter on any dimension the API filters by, or on an action's prop: an operator and
 * one or several values (comma-separated; numeric comparisons take one number). It replaces any
 * filter on the same dimension, as a click does.
 */
export function FilterBuilder({ onApply }: { onApply: (filter: Filter) => void }) {
  const [open, setOpen] = useState(false);
  const [dim, setDim] = useState<string>('country');
  const [prop, setProp] = useState('');
  const [op, setOp] = useState<FilterOp>('is');
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);

  const apply = (e: Event) => {
    e.preventDefault();
    const values = text
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
    const key: ViewFilterKey | null =
      dim === PROPERTY ? (prop.trim() ? `prop.${prop.trim()}` : null) : (dim as FilterKey);
    if (!key) return setProblem('Name the property, e.g. processed_count.');
    if (values.length === 0) return setProblem('Give at least one value.');
    if (NUMERIC_OPS.includes(op) && (values.length !== 1 || !Number.isFinite(Number(values[0]))))
      return setProblem('A comparison takes one number.');
    setProblem(null);
    const filter: Filter = { key, value: values[0]! };
    if (op !== 'is') filter.op = op;
    if (values.length > 1) filter.values = values;
    onApply(filter);
    setText('');
    setOpen(false);
  };

  if (!open)
    return html`<button class="btn" type="button" data-open-filter-builder onClick=${() => setOpen(true)}>
      + Filter
    </button>`;
  return html`<form
    class="box filter-builder"
    data-filter-builder
    aria-label="Add a filter"
    onSubmit=${apply}
  >
    <label
      >Dimension
      <select
        value=${dim}
        data-fb-dimension
        onChange=${(e: Event) => setDim((e.target as HTMLSelectElement).value)}
      >
        ${(Object.keys(FILTER_DIMENSIONS) as FilterKey[]).map(
          (k) => html`<option value=${k} selected=${k === dim}>${FILTER_LABELS[k]}</option>`,
        )}
        <option value=${PROPERTY} selected=${dim === PROPERTY}>Action property…</option>
      </select>
    </label>
    ${
      dim === PROPERTY &&
      html`<label
        >Property
        <input
          data-fb-prop
          value=${prop}
          placeholder="processed_count"
          onInput=${(e: Event) => setProp((e.target as HTMLInputElement).value)}
      /></label>`
    }
    <label
      >Operator
      <select
        value=${op}
        data-fb-op
        onChange=${(e: Event) => setOp((e.target as HTMLSelectElement).value as FilterOp)}
      >
        ${OPS.map(([v, label]) => html`<option value=${v} selected=${v === op}>${label}</option>`)}
      </select>
    </label>
    <label
      >Values
      <input
        data-fb-values
        value=${text}
        placeholder=${NUMERIC_OPS.includes(op) ? 'a number' : 'one, or several separated by commas'}
        onInput=${(e: Event) => setText((e.target as HTMLInputElement).value)}
    /></label>
    ${problem && html`<p class="error" role="alert">${problem}</p>`}
    <div class="row-actions">
      <button class="btn primary" type="submit" data-fb-apply>Apply filter</button>
      <button class="btn" type="button" onClick=${() => setOpen(false)}>Cancel</button>
    </div>
  </form>`;
}
