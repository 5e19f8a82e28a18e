import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import type { CardsResponse, MetricCardConfig } from '../../shared/api.ts';
import type { ApiClient } from '../lib/api.ts';
import { API } from '../lib/queries.ts';

const SOURCE = {
  site: 'this site’s own cards',
  default: 'the default cards of every site',
  initial: 'the initial cards (ANALYTICS_METRICS_FILE or the shipped ones)',
};
const KINDS: { kind: MetricCardConfig['kind']; label: string }[] = [
  { kind: 'count', label: 'Count of' },
  { kind: 'unique_users', label: 'Visitors who did' },
  { kind: 'sum', label: 'Sum of a property of' },
  { kind: 'rate', label: 'Share (%) of … where' },
];

/**
 * Edits the metric cards of the view's site (the default set on "All sites"): opened on demand,
 * saved with PUT /api/analytics/cards, effective on the next refresh without a restart.
 */
export function CardsEditor({
  api,
  site,
  onChanged,
}: {
  api: ApiClient;
  site: string;
  onChanged: () => void;
}) {
  const [data, setData] = useState<CardsResponse | null>(null);
  const [draft, setDraft] = useState<MetricCardConfig[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const params = site ? `?site=${encodeURIComponent(site)}` : '';
  const load = () =>
    api.get<CardsResponse>(`${API.cards}${params}`).then(
      (answer) => {
        setData(answer.data);
        setDraft(answer.data.cards);
      },
      (e: unknown) => setProblem(e instanceof Error ? e.message : 'could not load the cards'),
    );
  const change = async (method: 'PUT' | 'DELETE', body?: unknown) => {
    setProblem(null);
    try {
      const answer = await api.send<CardsResponse>(method, `${API.cards}${params}`, body);
      setData(answer.data);
      setDraft(answer.data.cards);
      onChanged();
    } catch (e) {
      setProblem(e instanceof Error ? e.message : 'could not save the cards');
    }
  };
  return html`<details
    class="box cards-editor"
    data-cards-editor
    onToggle=${(e: Event) => (e.target as HTMLDetailsElement).open && !data && void load()}
  >
    <summary>Edit the metric cards${site ? ` of ${site}` : ' (default set)'}</summary>
    ${data && html`<p class="muted">Showing ${SOURCE[data.source]}.</p>`}
    <ul class="annot-list">
      ${draft.map(
        (card) =>
          html`<li data-card-row=${card.id}>
            <span>${card.label}</span>
            <span class="muted">${describe(card)}</span>
            <button
              class="link-btn"
              type="button"
              aria-label=${`Remove card ${card.label}`}
              onClick=${() => setDraft(draft.filter((c) => c !== card))}
            >
              Remove
            </button>
          </li>`,
      )}
    </ul>
    <${NewCard}
      onAdd=${(card: MetricCardConfig) => setDraft([...draft.filter((c) => c.id !== card.id), card])}
    />
    <div class="foot">
      <button class="btn" type="button" disabled=${!data} onClick=${() => change('PUT', { cards: draft })}>
        Save cards
      </button>
      ${
        data?.source === (site ? 'site' : 'default') &&
        html`<button class="link-btn" type="button" onClick=${() => change('DELETE')}>
          Back to ${site ? 'the default cards' : 'the initial cards'}
        </button>`
      }
    </div>
    ${problem && html`<p class="error" role="alert">${problem}</p>`}
  </details>`;
}

function describe(card: MetricCardConfig): string {
  if (card.kind === 'sum') return `sum of ${card.prop} on ${card.event}`;
  if (card.kind === 'rate' && card.where)
    return `% of ${card.event} where ${card.where.prop} ${card.where.op} ${card.where.value}`;
  return `${card.kind === 'count' ? 'count' : 'visitors'} of ${card.event}`;
}

/** The fields of one new card; its id is made from the label. */
function NewCard({ onAdd }: { onAdd: (card: MetricCardConfig) => void }) {
  const [label, setLabel] = useState('');
  const [kind, setKind] = useState<MetricCardConfig['kind']>('count');
  const [event, setEvent] = useState('');
  const [prop, setProp] = useState('');
  const [op, setOp] = useState<'gt' | 'gte' | 'lt' | 'lte' | 'is' | 'is_not'>('gt');
  const [value, setValue] = useState('0');
  const input = (set: (v: string) => void) => (e: Event) => set((e.target as HTMLInputElement).value);
  const add = (e: Event) => {
    e.preventDefault();
    const id =
      label
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '_')
        .replace(/^_|_$/g, '')
        .slice(0, 64) || 'card';
    const numeric = value.trim() !== '' && Number.isFinite(Number(value));
    onAdd({
      id,
      label,
      kind,
      event,
      ...(kind === 'sum' ? { prop } : {}),
      ...(kind === 'rate' ? { where: { prop, op, value: numeric ? Number(value) : value } } : {}),
    });
    setLabel('');
    setEvent('');
    setProp('');
  };
  return html`<form class="stack-form" data-card-form onSubmit=${add}>
    <label
      >Label <input name="card-label" required maxlength="100" value=${label} onInput=${input(setLabel)}
    /></label>
    <label
      >Figure
      <select name="card-kind" value=${kind} onChange=${input((v) => setKind(v as typeof kind))}>
        ${KINDS.map((k) => html`<option value=${k.kind}>${k.label}</option>`)}
      </select>
    </label>
    <label
      >Event
      <input
        name="card-event"
        required
        placeholder="action name, share or pageview"
        value=${event}
        onInput=${input(setEvent)}
      />
    </label>
    ${
      (kind === 'sum' || kind === 'rate') &&
      html`<label
        >Property <input name="card-prop" required value=${prop} onInput=${input(setProp)}
      /></label>`
    }
    ${
      kind === 'rate' &&
      html`<label
          >Test
          <select name="card-op" value=${op} onChange=${input((v) => setOp(v as typeof op))}>
            ${['gt', 'gte', 'lt', 'lte', 'is', 'is_not'].map((o) => html`<option value=${o}>${o}</option>`)}
          </select>
        </label>
        <label>Value <input name="card-value" value=${value} onInput=${input(setValue)} /></label>`
    }
    <button class="btn" type="submit">Add card</button>
  </form>`;
}
