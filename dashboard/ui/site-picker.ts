import { html } from 'htm/preact';

/** On "All sites", which site a new goal or note belongs to. */
export function SitePicker({
  sites,
  value,
  onChange,
}: {
  sites: string[];
  value: string;
  onChange: (site: string) => void;
}) {
  return html`<label
    >Domain
    <select
      name="site"
      required
      value=${value}
      onChange=${(e: Event) => onChange((e.target as HTMLSelectElement).value)}
    >
      ${sites.map((s) => html`<option value=${s}>${s}</option>`)}
    </select>
  </label>`;
}
