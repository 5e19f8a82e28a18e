import { html } from 'htm/preact';
import type { CompareChoice } from '../lib/url-state.ts';

const CHOICES: [CompareChoice, string][] = [
  ['', 'No comparison'],
  ['previous_period', 'Previous period'],
  ['year_over_year', 'Same period last year'],
];

/** What the chart's second line and each breakdown row's change compare with. */
export function CompareSelect({
  value,
  onChange,
}: {
  value: CompareChoice;
  onChange: (v: CompareChoice) => void;
}) {
  return html`<label class="compare-select">
    <span class="muted">Compare</span>
    <select
      data-compare
      aria-label="Compare with"
      value=${value}
      onChange=${(e: Event) => onChange((e.target as HTMLSelectElement).value as CompareChoice)}
    >
      ${CHOICES.map(([v, label]) => html`<option value=${v} selected=${v === value}>${label}</option>`)}
    </select>
  </label>`;
}
