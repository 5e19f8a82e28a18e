import { html } from 'htm/preact';
import { formatChange } from '../lib/format.ts';
import type { CardModel } from '../lib/model.ts';
import { display } from './format-value.ts';

/** The stat cards, each with its change against the previous period of equal length. */
export function Cards({ cards }: { cards: CardModel[] }) {
  return html`<section class="cards" aria-label="Key figures">
    ${cards.map((card) => {
      const change = card.noEarlierData
        ? { text: 'no earlier data', tone: 'flat', direction: 'flat' }
        : formatChange(card.value, card.previous, {
            lowerIsBetter: card.lowerIsBetter,
            points: card.format === 'percent',
          });
      return html`<div class="card" data-card=${card.id}>
        <div class="label" title=${card.label}>${card.label}</div>
        <div class="value" data-value>${display(card.value, card.format)}</div>
        ${
          change &&
          html`<div class=${`change ${change.tone}`} title=${changeTitle(card)}>
            ${change.direction === 'up' ? '▲ ' : change.direction === 'down' ? '▼ ' : ''}${change.text}
          </div>`
        }
        ${card.sub && html`<div class="sub">${card.sub}</div>`}
      </div>`;
    })}
  </section>`;
}

/** The tooltip names the previous figure, not only that there was one. */
function changeTitle(card: CardModel): string {
  if (!card.previous) return 'No data in the previous period of equal length';
  return `Previous period: ${display(card.previous, card.format)}`;
}
