import { html } from 'htm/preact';

/** One option of a select field: the value sent and the text shown. */
export interface Choice {
  value: string;
  text: string;
}

type Control =
  /** a select of these options */
  | { choices: readonly Choice[] }
  /** a text input (`password`, `date`: those kinds) */
  | { type?: 'password' | 'date'; autocomplete?: string; autocapitalize?: string };

/**
 * One row of the Team & sharing forms: a label holding its text and its control, so a click on
 * the text focuses the control and a screen reader names it. `hideLabel` keeps the text for
 * screen readers only, where the row's layout already says what the control is.
 */
export function LabelledField(
  props: {
    label: string;
    hideLabel?: boolean;
    value: string;
    onValue: (value: string) => void;
  } & Control,
) {
  const { label, hideLabel, value, onValue } = props;
  const text = hideLabel ? html`<span class="sr-only">${label}</span>` : label;
  const read = (e: Event) => onValue((e.target as HTMLInputElement | HTMLSelectElement).value);
  if ('choices' in props)
    return html`<label
      >${text}<select class="site" value=${value} onChange=${read}>
        ${props.choices.map((c) => html`<option value=${c.value}>${c.text}</option>`)}
      </select></label
    >`;
  return html`<label
    >${text}<input
      type=${props.type}
      autocomplete=${props.autocomplete}
      autocapitalize=${props.autocapitalize}
      value=${value}
      onInput=${read}
  /></label>`;
}
