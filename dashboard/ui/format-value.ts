import { formatDuration, formatNumber, formatPercent, formatTime } from '../lib/format.ts';
import type { ValueFormat } from '../lib/model.ts';
import type { Cell } from '../lib/table.ts';

/** One cell as display text; data values are only ever turned into text, never markup. */
export function display(value: Cell, format: ValueFormat): string {
  if (format === 'text') return value === null || value === undefined ? '' : String(value);
  if (typeof value !== 'number') return value === null || value === undefined ? '–' : String(value);
  if (format === 'duration') return formatDuration(value);
  if (format === 'percent') return formatPercent(value);
  if (format === 'time') return formatTime(value);
  return formatNumber(value, { compact: true });
}
