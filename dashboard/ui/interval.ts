import { html } from 'htm/preact';
import { INTERVALS } from '../../shared/api.ts';
import { chartInterval, intervalsFor } from '../lib/interval.ts';
import type { ViewState } from '../lib/url-state.ts';

const LABELS = { hour: 'Hour', day: 'Day', week: 'Week', month: 'Month' } as const;

/** Hour / day / week / month: those the range does not allow are disabled and say why. */
export function IntervalPicker({ state, onState }: { state: ViewState; onState: (next: ViewState) => void }) {
  const allowed = intervalsFor(state);
  const current = chartInterval(state);
  const why = { hour: 'up to 7 days', day: '', week: 'from 14 days', month: 'from 90 days' };
  return html`<div class="seg" role="group" aria-label="Interval" data-interval>
    ${INTERVALS.map(
      (i) =>
        html`<button
          type="button"
          aria-pressed=${current === i}
          disabled=${!allowed.includes(i)}
          title=${allowed.includes(i) ? `One point per ${i}` : `${LABELS[i]}s: ranges ${why[i]}`}
          onClick=${() => onState({ ...state, interval: i })}
        >
          ${LABELS[i]}
        </button>`,
    )}
  </div>`;
}
