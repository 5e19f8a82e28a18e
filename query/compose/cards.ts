import { cardApplies } from '../../shared/api.ts';
import type { Filter, MetricCard, MetricCardConfig, NormalizedQuery } from '../../shared/api.ts';
import type { QueryBackend } from '../backend.ts';
import { totals } from './query.ts';

/** The filter selecting a card's records: an action name, or every share / pageview. */
export function cardFilter(card: MetricCardConfig): Filter {
  if (card.event === 'share' || card.event === 'pageview') return ['is', 'event:kind', [card.event]];
  return [
    'and',
    [
      ['is', 'event:kind', ['action']],
      ['is', 'event:name', [card.event]],
    ],
  ];
}

/** Computes the configured metric cards of the base query's site over its range and filters. */
export async function computeCards(
  backend: QueryBackend,
  cards: readonly MetricCardConfig[],
  base: NormalizedQuery,
): Promise<MetricCard[]> {
  return Promise.all(
    cards
      .filter((card) => cardApplies(card, base.site))
      .map(async (card) => {
        const q = { ...base, filters: [...base.filters, cardFilter(card)] };
        let value: number;
        switch (card.kind) {
          case 'count':
            value = (await totals(backend, { ...q, metrics: ['events'] })).events;
            break;
          case 'unique_users':
            value = (await totals(backend, { ...q, metrics: ['visitors'] })).visitors;
            break;
          case 'sum': {
            const metric = `prop_sum:${card.prop}` as const;
            value = (await totals(backend, { ...q, metrics: [metric] }))[metric];
            break;
          }
          case 'rate': {
            const all = (await totals(backend, { ...q, metrics: ['events'] })).events;
            const where = card.where!;
            const hit = (
              await totals(backend, {
                ...q,
                filters: [...q.filters, [where.op, `event:props:${where.prop}`, [where.value]]],
                metrics: ['events'],
              })
            ).events;
            value = all ? Math.round((10_000 * hit) / all) / 100 : 0;
            break;
          }
        }
        return { id: card.id, label: card.label, kind: card.kind, value };
      }),
  );
}
