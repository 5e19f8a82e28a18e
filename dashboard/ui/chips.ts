import { html } from 'htm/preact';
import { countryName } from '../lib/format.ts';
import { filterText, filterValues, type Filter, type ViewFilterKey } from '../lib/url-state.ts';

/** Active filters as removable chips; each one is a part of the URL. */
export function Chips({
  filters,
  onRemove,
  onClear,
}: {
  filters: Filter[];
  onRemove: (key: ViewFilterKey) => void;
  /** one navigation for all chips: a removal per chip would each start from the same old view */
  onClear: () => void;
}) {
  if (filters.length === 0) return null;
  return html`<div class="chips" aria-label="Filters">
    ${filters.map((f) => {
      const value = filterValues(f)
        .map((v) => (f.key === 'country' ? countryName(v) : v))
        .join(' or ');
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
