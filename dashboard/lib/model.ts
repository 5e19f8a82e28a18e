// What the views draw, independent of the API's exact shapes: lib/load.ts maps answers to these.

import type { ReportScope } from '../../shared/api.ts';
import type { Interval } from '../../shared/time.ts';
import type { TabSpec } from './queries.ts';
import type { Row } from './table.ts';
import type { FilterKey } from './url-state.ts';

export type ValueFormat = 'number' | 'duration' | 'percent' | 'text' | 'time';

export interface CardModel {
  id: string;
  label: string;
  value: number | null;
  /** the same metric over the compared period (the previous one of equal length unless chosen) */
  previous?: number | null;
  /** the previous period held no data: there is nothing to compare with */
  noEarlierData?: boolean;
  format: ValueFormat;
  lowerIsBetter?: boolean;
  /** a second figure under the value ("1h: 12") */
  sub?: string;
}

export interface SeriesModel {
  granularity: Interval;
  /** bucket starts, epoch seconds (uPlot's unit) */
  times: number[];
  /** `dashed`: the compared period's line */
  lines: { label: string; values: number[]; dashed?: boolean }[];
  /** the last bucket is still running (today, this hour): its figures are so far, not final */
  partial: boolean;
}

export interface ColumnModel {
  key: string;
  label: string;
  format: ValueFormat;
}

/** Rows carry `key` (the value a click filters on) and `label` (what is shown). */
export interface TabModel {
  id: string;
  label: string;
  filter?: FilterKey;
  columns: ColumnModel[];
  /** the first rows only (the top of the list) */
  rows: Row[];
  /** how many rows the whole list has */
  total: number;
  /** the query behind the tab, to fetch the whole list */
  spec: TabSpec;
}

export interface PanelModel {
  id: string;
  title: string;
  tabs: TabModel[];
  /** a figure or remark shown under the table (k-factor…) */
  note?: string;
}

export interface Overview {
  cards: CardModel[];
  series: { traffic: SeriesModel; engagement: SeriesModel };
  panels: PanelModel[];
  /** the site, absolute range and filters the page's figures were computed under (the API's `query`) */
  scope: ReportScope;
  /** nothing at all recorded in the range: show the tag snippet */
  empty: boolean;
}

export interface FunnelModel {
  steps: { label: string; visitors: number; conversion: number; dropoff: number }[];
}

export interface RetentionModel {
  /** cohort label, size, and return rate (0–100) per week after */
  cohorts: { label: string; size: number; rates: (number | null)[] }[];
  weeks: number;
}

export interface RealtimeModel {
  active5m: number;
  active1h: number;
  active24h: number;
  pages: Row[];
  sources: Row[];
  events: { ts: number; kind: string; label: string; detail: string }[];
}
