// Goals in the dashboard: loading them with their figures, and the conversion-rate column every
// breakdown panel gains while one is selected. A goal is a filter of the general query (the API
// sends it), so a panel's conversions are one more query grouped like the panel.

import type { AnnotationsResponse, Filter, Goal, GoalsResponse, QueryResponse } from '../../shared/api.ts';
import type { Answer, ApiClient } from './api.ts';
import type { PanelModel } from './model.ts';
import type { Row } from './table.ts';
import { API, filteredSeedParams, PANELS, query, seedParams, type TabSpec } from './queries.ts';
import type { ViewState } from './url-state.ts';

/** The view's goals (every site's on "All sites") with their figures under its range and filters. */
export function loadGoals(api: ApiClient, state: ViewState) {
  return api.get<GoalsResponse>(API.goals, { ...filteredSeedParams(state) });
}

/** Per tab id, converted visitors by row key (`country\nregion` for scoped tabs). */
export type Conversions = Record<string, Map<string, number>>;

const rowKey = (dimensions: string[], scoped: boolean) =>
  scoped ? `${dimensions[0] ?? ''}\n${dimensions[1] ?? ''}` : (dimensions[0] ?? '');

/**
 * The converted visitors of every breakdown tab: the tab's query keeping only the visitors with a
 * conversion in the range (`['visitor', goal]`), so a row's conversions are its visitors who
 * converted, wherever they did: of the visitors of /blog, those who later reached /pricing.
 */
export async function loadConversions(api: ApiClient, state: ViewState, goal: Filter): Promise<Conversions> {
  const tabs: TabSpec[] = PANELS.flatMap((p) => p.tabs);
  const answers = await Promise.all(
    tabs.map((spec) =>
      api.post<QueryResponse>(
        API.query,
        query(state, {
          metrics: ['visitors'],
          dimensions: spec.scope ? [spec.scope, spec.dimension] : [spec.dimension],
          filters: [['visitor', goal]],
          limit: 10_000,
        }),
      ),
    ),
  );
  const out: Conversions = {};
  tabs.forEach((spec, i) => {
    out[spec.id] = new Map(
      answers[i]!.data.results.map((r) => [rowKey(r.dimensions, !!spec.scope), r.metrics[0] ?? 0]),
    );
  });
  return out;
}

/** Conversions / visitors of a row, in percent with two decimals; 0 without visitors. */
export function conversionRate(conversions: number, visitors: number): number {
  return visitors > 0 ? Math.round((10_000 * Math.min(conversions, visitors)) / visitors) / 100 : 0;
}

/**
 * The panels with a "Conv. rate" column on every tab that has conversions loaded, read against
 * the row's own visitors.
 */
export function withConversionColumn(panels: PanelModel[], conversions: Conversions): PanelModel[] {
  return panels.map((panel) => ({
    ...panel,
    tabs: panel.tabs.map((tab) => {
      const byKey = conversions[tab.id];
      if (!byKey) return tab;
      return {
        ...tab,
        columns: [
          ...tab.columns,
          { key: 'conversion_rate', label: 'Conv. rate', format: 'percent' as const },
        ],
        rows: withRates(tab.rows, byKey, !!tab.spec.scope),
      };
    }),
  }));
}

/** Rows with their `conversion_rate` (also for the whole list behind "Show all" and the CSV). */
export function withRates(rows: readonly Row[], byKey: ReadonlyMap<string, number>, scoped: boolean): Row[] {
  return rows.map((row) => {
    const key = scoped ? `${String(row.scope ?? '')}\n${String(row.key ?? '')}` : String(row.key ?? '');
    return { ...row, conversion_rate: conversionRate(byKey.get(key) ?? 0, Number(row.visitors) || 0) };
  });
}

/** What a goal counts, in words: "Page /blog/*", "Action search_performed where matches_found > 0". */
export function goalText(goal: Pick<Goal, 'definition'>): string {
  const d = goal.definition;
  if (d.type === 'page') return `Page ${d.page}`;
  if (d.type === 'share') return d.channel ? `Share via ${d.channel}` : 'Any share';
  if (!d.condition) return `Action ${d.action}`;
  const ops = { is: 'is', is_not: 'is not', contains: 'contains', gt: '>', gte: '≥', lt: '<', lte: '≤' };
  return `Action ${d.action} where ${d.condition.prop} ${ops[d.condition.op]} ${d.condition.value}`;
}

/** The notes of the view's range (every site's on "All sites"), for the chart. */
export function loadAnnotations(api: ApiClient, state: ViewState) {
  return api.get<AnnotationsResponse>(API.annotations, { ...seedParams(state) });
}

export interface GoalView {
  goals: GoalsResponse;
  /** the selected goal, when it exists */
  goal: Goal | null;
  conversions: Conversions | null;
}

/** The goals, and the conversions by breakdown row of the selected one (view.goal). */
export async function loadGoalView(api: ApiClient, state: ViewState): Promise<Answer<GoalView>> {
  const goals = await loadGoals(api, state);
  const goal = goals.data.goals.find((g) => g.id === state.goal) ?? null;
  const conversions = goal ? await loadConversions(api, state, goal.filter) : null;
  return { data: { goals: goals.data, goal, conversions }, cachedAt: goals.cachedAt };
}
