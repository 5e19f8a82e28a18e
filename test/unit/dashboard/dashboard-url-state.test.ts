// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { takeHashToken } from '../../../dashboard/lib/session.ts';
import {
  apiFilters,
  dateRange,
  filteredSeedParams,
  interval,
  query,
  seedParams,
} from '../../../dashboard/lib/queries.ts';
import {
  DEFAULT_STATE,
  parseState,
  serializeState,
  withFilter,
  withoutFilter,
} from '../../../dashboard/lib/url-state.ts';

describe('dashboard URL state', () => {
  it('reads range, site, filters, chart and user from the query string', () => {
    const state = parseState('?site=a.com&range=30d&country=FR&page=%2Fpricing&chart=engagement&user=u%201');
    expect(state).toEqual({
      ...DEFAULT_STATE,
      site: 'a.com',
      range: '30d',
      filters: [
        { key: 'country', value: 'FR' },
        { key: 'page', value: '/pricing' },
      ],
      chart: 'engagement',
      user: 'u 1',
    });
  });

  it('falls back to defaults for unknown ranges, bad custom dates and unknown parameters', () => {
    expect(parseState('?range=1y&evil=1')).toEqual(DEFAULT_STATE);
    expect(parseState('?range=custom&from=2026-11-30&to=2026-11-01').range).toBe(DEFAULT_STATE.range);
    expect(parseState('?range=custom&from=yesterday&to=2026-11-01').range).toBe(DEFAULT_STATE.range);
    expect(parseState('?range=custom&from=2026-11-01&to=2026-11-07')).toMatchObject({
      range: 'custom',
      from: '2026-11-01',
      to: '2026-11-07',
    });
    // A prototype name is not a filter dimension.
    expect(parseState('?constructor=x&__proto__=y').filters).toEqual([]);
  });

  it('reads a repeated dimension as one filter with several values', () => {
    expect(parseState('?country=FR&country=DE').filters).toEqual([
      { key: 'country', value: 'FR', values: ['FR', 'DE'] },
    ]);
  });

  it('round-trips every view through the URL, leaving defaults out', () => {
    expect(serializeState(DEFAULT_STATE)).toBe('');
    const views = [
      parseState('?range=90d&browser=Firefox&action=photo_processed'),
      parseState('?range=custom&from=2026-11-01&to=2026-11-07&share=whatsapp&utm_campaign=a%26b%3Dc'),
      withFilter(DEFAULT_STATE, 'referrer', 'https://x.com/"><script>'),
    ];
    for (const view of views) expect(parseState(serializeState(view))).toEqual(view);
  });

  it('replaces a filter on the same dimension, removes filters and leaves a user page', () => {
    let state = withFilter({ ...DEFAULT_STATE, user: 'u1' }, 'country', 'FR');
    expect(state.user).toBe('');
    state = withFilter(state, 'device', 'mobile');
    state = withFilter(state, 'country', 'DE');
    expect(state.filters).toEqual([
      { key: 'device', value: 'mobile' },
      { key: 'country', value: 'DE' },
    ]);
    expect(withoutFilter(state, 'device').filters).toEqual([{ key: 'country', value: 'DE' }]);
  });

  it('turns the view into query API requests', () => {
    const state = parseState('?site=a.com&range=24h&country=FR&action=link_created&entry=%2F');
    expect(apiFilters(state)).toEqual([
      ['is', 'country', ['FR']],
      ['is', 'visitor:action', ['link_created']],
      ['is', 'entry_page', ['/']],
    ]);
    expect(dateRange(state)).toBe('24h');
    expect(interval(state)).toBe('hour');
    expect(seedParams(state)).toEqual({ site: 'a.com', days: 1 });
    expect(filteredSeedParams(state)).toEqual({
      site: 'a.com',
      days: 1,
      filters: JSON.stringify(apiFilters(state)),
    });
    expect(filteredSeedParams(parseState('?range=7d')).filters).toBeUndefined();
    expect(query(state, { metrics: ['visitors'], filters: [['is', 'event:kind', ['action']]] })).toEqual({
      site: 'a.com',
      date_range: '24h',
      metrics: ['visitors'],
      filters: [
        ['is', 'country', ['FR']],
        ['is', 'visitor:action', ['link_created']],
        ['is', 'entry_page', ['/']],
        ['is', 'event:kind', ['action']],
      ],
    });
    const custom = parseState('?range=custom&from=2026-11-01&to=2026-11-07');
    expect(dateRange(custom)).toEqual(['2026-11-01', '2026-11-07']);
    expect(seedParams(custom)).toEqual({ site: undefined, from: '2026-11-01', to: '2026-11-07' });
    expect(interval(custom)).toBe('day');
    expect(query(custom, { metrics: ['pageviews'] })).toEqual({
      date_range: ['2026-11-01', '2026-11-07'],
      metrics: ['pageviews'],
    });
  });
});

describe('the admin token in the printed link', () => {
  it('is taken from the #token= fragment and stripped, and nothing is stored', () => {
    sessionStorage.clear();
    localStorage.clear();
    expect(takeHashToken('#token=abc123')).toEqual({ token: 'abc123', hash: '' });
    expect(sessionStorage.length + localStorage.length).toBe(0);
    // Reloading the cleaned URL has no token: the session cookie signs in from then on.
    expect(takeHashToken('')).toEqual({ token: null, hash: '' });
  });

  it('keeps other fragment parameters', () => {
    expect(takeHashToken('#x=1')).toEqual({ token: null, hash: '#x=1' });
    expect(takeHashToken('#token=t&x=1')).toEqual({ token: 't', hash: '#x=1' });
    expect(takeHashToken('#token=')).toEqual({ token: null, hash: '#token=' });
  });
});
