import { html } from 'htm/preact';
import { countryName } from '../lib/format.ts';
import { filterText, type Filter, type FilterKey } from '../lib/url-state.ts';

/** Active filters as removable chips; each one is a part of the URL. */
export function Chips({
  filters,
  onRemove,
  onClear,
}: {
  filters: Filter[];
  onRemove: (key: FilterKey) => void;
  /** one navigation for all chips: a removal per chip would each start from the same old view */
  onClear: () => void;
}) {
  if (filters.length === 0) return null;
  return html`<div class="chips" aria-label="Filters">
    ${filters.map((f) => {
      const value = f.key === 'country' ? countryName(f.value) : f.value;
      const text = filterText(f, value);
      return html`<div class="chip" data-filter=${f.key}>
        <span title=${text}>${text}</span>
        <button type="button" aria-label=${`Remove filter: ${text}`} onClick=${() => onRemove(f.key)}>
          ×
        </button>
      </div>`;
    })}
    ${filters.length > 1 && html`<button class="btn" type="button" onClick=${onClear}>Clear all</button>`}
  </div>`;
}
