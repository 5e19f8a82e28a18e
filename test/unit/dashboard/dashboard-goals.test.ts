import { describe, expect, it } from 'vitest';
import { bucketStarts, fillBuckets } from '../../../dashboard/lib/buckets.ts';
import { conversionRate, goalText, withConversionColumn, withRates } from '../../../dashboard/lib/goals.ts';
import { chartInterval, intervalsFor } from '../../../dashboard/lib/interval.ts';
import type { PanelModel } from '../../../dashboard/lib/model.ts';
import { PANELS } from '../../../dashboard/lib/queries.ts';
import {
  DEFAULT_STATE,
  parseState,
  serializeState,
  type ViewState,
} from '../../../dashboard/lib/url-state.ts';
import { markPositions } from '../../../dashboard/ui/annotations.ts';
import type { Annotation } from '../../../shared/api.ts';

const view = (over: Partial<ViewState>): ViewState => ({ ...DEFAULT_STATE, ...over });

describe('chart intervals in the dashboard', () => {
  it.each([
    [view({ range: '24h' }), ['hour', 'day'], 'hour'],
    [view({ range: '7d' }), ['hour', 'day'], 'day'],
    [view({ range: '7d', interval: 'hour' }), ['hour', 'day'], 'hour'],
    [view({ range: '7d', interval: 'month' }), ['hour', 'day'], 'day'],
    [view({ range: '30d', interval: 'week' }), ['day', 'week'], 'week'],
    [view({ range: '90d', interval: 'month' }), ['day', 'week', 'month'], 'month'],
    [view({ range: 'custom', from: '2026-11-01', to: '2026-11-01' }), ['hour', 'day'], 'hour'],
    [
      view({ range: 'custom', from: '2020-01-01', to: '2026-12-06', interval: 'month' }),
      ['day', 'week', 'month'],
      'month',
    ],
  ])('%j offers %j and draws %s', (state, offered, drawn) => {
    expect(intervalsFor(state)).toEqual(offered);
    expect(chartInterval(state)).toBe(drawn);
  });

  it('keeps the interval and the selected goal in the URL, and drops an unknown interval', () => {
    const state = parseState('?range=90d&interval=month&goal=g-1');
    expect(state).toMatchObject({ interval: 'month', goal: 'g-1' });
    expect(parseState(serializeState(state))).toEqual(state);
    expect(parseState('?interval=fortnight').interval).toBe('');
    expect(serializeState(DEFAULT_STATE)).toBe('');
  });

  it('fills every week (Mondays) and month, as the API labels them', () => {
    const from = Date.parse('2026-10-28T12:00:00Z');
    const to = Date.parse('2026-11-27T12:00:00Z');
    expect(bucketStarts(from, to, 'week').map((t) => new Date(t).toISOString().slice(0, 10))).toEqual([
      '2026-10-26',
      '2026-11-02',
      '2026-11-09',
      '2026-11-16',
      '2026-11-23',
    ]);
    const months = fillBuckets(new Map([['2026-11', [4]]]), from, to, 'month', 1);
    expect(months.times.map((t) => new Date(t * 1000).toISOString().slice(0, 7))).toEqual([
      '2026-10',
      '2026-11',
    ]);
    expect(months.values).toEqual([[0, 4]]);
  });
});

describe('the conversion-rate column', () => {
  it.each([
    [1, 2, 50],
    [1, 3, 33.33],
    [0, 0, 0],
    [5, 0, 0],
    [4, 3, 100], // never above 100 %, whatever the counts
  ])('%i of %i visitors is %d %%', (conversions, visitors, rate) => {
    expect(conversionRate(conversions, visitors)).toBe(rate);
  });

  it('adds the column to every tab with conversions, keyed like its rows (regions by country)', () => {
    const locations = PANELS.find((p) => p.id === 'locations')!;
    const panel: PanelModel = {
      id: 'locations',
      title: 'Countries',
      tabs: locations.tabs.map((spec) => ({
        id: spec.id,
        label: spec.label,
        columns: spec.columns,
        spec,
        total: 2,
        rows:
          spec.id === 'regions'
            ? [
                { key: 'CA', label: 'CA, US', scope: 'US', visitors: 4 },
                { key: 'CA', label: 'CA, ES', scope: 'ES', visitors: 2 },
              ]
            : [
                { key: 'DE', label: 'Germany', visitors: 2 },
                { key: 'FR', label: 'France', visitors: 1 },
              ],
      })),
    };
    const [out] = withConversionColumn([panel], {
      countries: new Map([['DE', 1]]),
      regions: new Map([['US\nCA', 1]]),
    });
    const countries = out!.tabs.find((t) => t.id === 'countries')!;
    expect(countries.columns.at(-1)).toEqual({
      key: 'conversion_rate',
      label: 'Conv. rate',
      format: 'percent',
    });
    expect(countries.rows.map((r) => r.conversion_rate)).toEqual([50, 0]);
    const regions = out!.tabs.find((t) => t.id === 'regions')!;
    expect(regions.rows.map((r) => r.conversion_rate)).toEqual([25, 0]);
    // A tab without conversions loaded keeps its columns.
    expect(out!.tabs.find((t) => t.id === 'cities')!.columns).toEqual(panel.tabs[2]!.columns);
    expect(withRates([{ key: 'x', visitors: 0 }], new Map([['x', 0]]), false)).toEqual([
      { key: 'x', visitors: 0, conversion_rate: 0 },
    ]);
  });

  it.each([
    [{ type: 'page', page: '/blog/*' }, 'Page /blog/*'],
    [{ type: 'action', action: 'signup' }, 'Action signup'],
    [
      {
        type: 'action',
        action: 'search_performed',
        condition: { prop: 'matches_found', op: 'gt', value: 0 },
      },
      'Action search_performed where matches_found > 0',
    ],
    [{ type: 'share' }, 'Any share'],
    [{ type: 'share', channel: 'whatsapp' }, 'Share via whatsapp'],
  ] as const)('describes %j as %s', (definition, text) => {
    expect(goalText({ definition })).toBe(text);
  });
});

describe('notes on the chart', () => {
  const note = (id: string, date: string): Annotation => ({
    id,
    site: 'a.test',
    at: Date.parse(date),
    date,
    text: id,
    updated: 0,
  });
  // A linear x scale: 10 px per day from 2026-11-01.
  const start = Date.parse('2026-11-01T00:00:00Z') / 1000;
  const plot = { valToPos: (v: number) => ((v - start) / 86_400) * 10, over: { offsetLeft: 50 } };
  const series = {
    granularity: 'day' as const,
    times: Array.from({ length: 7 }, (_, i) => start + i * 86_400),
    lines: [],
    partial: true,
  };

  it('places the notes inside the drawn buckets and leaves the others out', () => {
    const marks = markPositions(plot, series, [
      note('before', '2026-10-31T23:59:59Z'),
      note('first', '2026-11-01T00:00:00Z'),
      note('noon', '2026-11-03T12:00:00Z'),
      note('last bucket', '2026-11-07T18:00:00Z'),
      note('after', '2026-11-08T00:00:00Z'),
    ]);
    expect(marks.map((m) => [m.annotation.id, m.left])).toEqual([
      ['first', 50],
      ['noon', 75],
      ['last bucket', 110], // held at the last point, not past the plot's edge
    ]);
  });
});
