import { describe, expect, it } from 'vitest';
import { apiFilters } from '../../../dashboard/lib/queries.ts';
import { segmentToView } from '../../../dashboard/lib/saved.ts';
import {
  filterText,
  parseState,
  serializeState,
  withBuiltFilter,
  DEFAULT_STATE,
  type Filter,
} from '../../../dashboard/lib/url-state.ts';
import type { Filter as ApiFilter } from '../../../shared/api.ts';

describe('built filters in the URL', () => {
  it.each<[string, Filter[], ApiFilter[], string[]]>([
    ['is with one value', [{ key: 'country', value: 'DE' }], [['is', 'country', ['DE']]], ['Country is DE']],
    [
      'is not with several values',
      [{ key: 'country', value: 'DE', op: 'is_not', values: ['DE', 'US'] }],
      [['is_not', 'country', ['DE', 'US']]],
      ['Country is not DE or US'],
    ],
    [
      'contains',
      [{ key: 'page', value: 'pric', op: 'contains' }],
      [['contains', 'page', ['pric']]],
      ['Page contains pric'],
    ],
    [
      'a numeric comparison on a prop',
      [{ key: 'prop.processed_count', value: '2', op: 'gt' }],
      [['gt', 'event:props:processed_count', [2]]],
      ['processed_count > 2'],
    ],
    [
      'a prop value and a session dimension',
      [
        { key: 'prop.plan', value: 'pro' },
        { key: 'utm_campaign', value: 'a&b=c', op: 'is_not' },
      ],
      [
        ['is', 'event:props:plan', ['pro']],
        ['is_not', 'utm_campaign', ['a&b=c']],
      ],
      ['plan is pro', 'UTM campaign is not a&b=c'],
    ],
  ])('%s: round-trips and becomes the API filter', (_name, filters, api, texts) => {
    const view = { ...DEFAULT_STATE, filters };
    const again = parseState(serializeState(view));
    expect(again.filters).toEqual(filters);
    expect(apiFilters(again)).toEqual(api);
    expect(again.filters.map((f) => filterText(f))).toEqual(texts);
    // a saved segment holds the API filters; applying it gives the same chips back
    expect(segmentToView(api)).toEqual(filters);
  });

  // `.matches` is not an operator the builder offers, so `country.matches` names no dimension.
  it.each(['?processed_count.gt=2', '?prop.processed_count.gt=many', '?planet=Mars', '?country.matches=.*'])(
    'drops what it cannot read (%s)',
    (search) => {
      expect(parseState(search).filters).toEqual([]);
    },
  );

  it('keeps the comparison in the URL', () => {
    expect(parseState('?compare=year_over_year').compare).toBe('year_over_year');
    expect(parseState('?compare=last_week').compare).toBe('');
    expect(serializeState({ ...DEFAULT_STATE, compare: 'previous_period' })).toBe('?compare=previous_period');
  });

  it('replaces the filter on the same dimension', () => {
    const view = withBuiltFilter(parseState('?country=DE&device=mobile'), {
      key: 'country',
      value: 'FR',
      op: 'is_not',
    });
    expect(serializeState(view)).toBe('?device=mobile&country.is_not=FR');
  });

  it('leaves segments the chips cannot show to the API', () => {
    expect(segmentToView([['or', [['is', 'country', ['DE']]]]])).toBeNull();
    expect(segmentToView([['matches', 'page', ['^/a']]])).toBeNull();
    expect(segmentToView([['is', 'event:kind', ['action']]])).toBeNull();
  });
});
