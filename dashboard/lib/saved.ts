// Saved funnels and segments, and property breakdowns: their API calls and the translation of a
// segment's API filters into the view's filters.

import type {
  Filter as ApiFilter,
  FunnelResponse,
  FunnelStep,
  PropertiesResponse,
  SavedFunnel,
  SavedFunnelInput,
  Segment,
  SegmentInput,
} from '../../shared/api.ts';
import type { ApiClient } from './api.ts';
import { API, dateRange, query } from './queries.ts';
import {
  FILTER_DIMENSIONS,
  FILTER_OPS,
  NUMERIC_OPS,
  type Filter,
  type FilterKey,
  type FilterOp,
  type ViewFilterKey,
  type ViewState,
} from './url-state.ts';

export async function listFunnels(api: ApiClient, site: string): Promise<SavedFunnel[]> {
  return (await api.get<{ funnels: SavedFunnel[] }>(API.funnels, { site: site || undefined })).data.funnels;
}

export async function saveFunnel(api: ApiClient, input: SavedFunnelInput, id?: string): Promise<SavedFunnel> {
  const answer = id
    ? await api.send<SavedFunnel>('PUT', `${API.funnels}/${encodeURIComponent(id)}`, input)
    : await api.post<SavedFunnel>(API.funnels, input);
  return answer.data;
}

export async function deleteSaved(api: ApiClient, what: 'funnels' | 'segments', id: string): Promise<void> {
  await api.send('DELETE', `${API[what]}/${encodeURIComponent(id)}`);
}

/** A saved funnel's steps under the view's range and filters (on the funnel's own site). */
export async function computeFunnel(
  api: ApiClient,
  state: ViewState,
  funnel: SavedFunnel,
): Promise<FunnelResponse> {
  const filters = query(state, { metrics: [] }).filters;
  return (
    await api.post<FunnelResponse>(API.funnel, {
      site: funnel.site,
      date_range: dateRange(state),
      steps: funnel.steps,
      ...(funnel.window_minutes ? { window_minutes: funnel.window_minutes } : {}),
      ...(filters ? { filters } : {}),
    })
  ).data;
}

export async function listSegments(api: ApiClient, site: string): Promise<Segment[]> {
  return (await api.get<{ segments: Segment[] }>(API.segments, { site: site || undefined })).data.segments;
}

export async function saveSegment(api: ApiClient, input: SegmentInput): Promise<Segment> {
  return (await api.post<Segment>(API.segments, input)).data;
}

export async function loadProperties(
  api: ApiClient,
  state: ViewState,
  action: string,
): Promise<PropertiesResponse> {
  const filters = query(state, { metrics: [] }).filters;
  const range = dateRange(state);
  return (
    await api.get<PropertiesResponse>(API.properties, {
      action,
      site: state.site || undefined,
      ...(Array.isArray(range) ? { from: range[0], to: range[1] } : { date_range: range }),
      filters: filters ? JSON.stringify(filters) : undefined,
    })
  ).data;
}

const KEY_OF_DIMENSION = new Map<string, FilterKey>(
  Object.entries(FILTER_DIMENSIONS).map(([key, dim]) => [dim, key as FilterKey]),
);

/**
 * A segment's API filters as the view's, or null when one cannot be shown as a chip (and/or
 * groups, `matches`, a dimension the dashboard has no chip for) — such a segment is for the API.
 */
export function segmentToView(filters: readonly ApiFilter[]): Filter[] | null {
  const out: Filter[] = [];
  for (const f of filters) {
    if (f[0] === 'and' || f[0] === 'or' || f[0] === 'not') return null;
    const [op, dim, values] = f as [string, string, (string | number)[]];
    if (!(FILTER_OPS as readonly string[]).includes(op)) return null;
    const key: ViewFilterKey | undefined = dim.startsWith('event:props:')
      ? `prop.${dim.slice(12)}`
      : KEY_OF_DIMENSION.get(dim);
    if (!key || out.some((o) => o.key === key) || values.length === 0) return null;
    const texts = values.map(String);
    const filter: Filter = { key, value: texts[0]! };
    if (op !== 'is') filter.op = op as FilterOp;
    if (texts.length > 1 && !NUMERIC_OPS.includes(op as FilterOp)) filter.values = texts;
    out.push(filter);
  }
  return out;
}

/** The steps the builder starts from: any page, then an action, then a share. */
export const STARTER_STEPS: FunnelStep[] = [
  { type: 'page', value: '*' },
  { type: 'action', value: '' },
  { type: 'share' },
];
